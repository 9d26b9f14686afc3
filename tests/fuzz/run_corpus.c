/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs a libFuzzer target (whichever tests/fuzz/fuzz_*.c it is linked
 * with) on every file of the directory named on the command line, so that
 * the kept corpus (crashers found once, and seeds) is a regression test in
 * an ordinary build without clang's fuzzer runtime.  Prints TAP.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Feeds one file to the target; -1 if it cannot be read. */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return -1;
	m = open_memstream(&buf, &len);
	if (!m) {
		fclose(f);
		return -1;
	}
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(f);
	fclose(m);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (argc != 2 || !(d = opendir(argv[1]))) {
		fprintf(stderr, "usage: run_corpus DIRECTORY (a readable one)\n");
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		if (run_file(path) < 0) {
			printf("1..1\nnot ok 1 - cannot read %s\n", path);
			return 1;
		}
		n++;
	}
	closedir(d);
	printf("1..1\nok 1 - %d corpus inputs read without a crash\n", n);
	return 0;
}
