// SPDX-License-Identifier: GPL-2.0-or-later
//
// Helper for -k's demangling: a C++ program whose fork happens inside a
// template member function in a namespace, pw_test::Spawner<int>::run(int),
// called from pw_test::start(), so that the stack holds C++ symbols as
// g++ mangles them (_ZN7pw_test7SpawnerIiE3runEi).  The child execs
// /bin/true; the parent waits for it and exits 0.  Built without
// sanitizers like the other helpers; noinline and a call after the fork
// keep each frame.
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

namespace pw_test {

static int (*volatile keep_frame)(int) = nullptr;

template <typename T>
struct Spawner {
	__attribute__((noinline)) static int run(T arg)
	{
		pid_t pid = fork();

		if (pid == 0) {
			execl("/bin/true", "true", static_cast<char *>(nullptr));
			_exit(127);
		}
		if (pid < 0)
			return 1;
		int status;
		if (waitpid(pid, &status, 0) != pid)
			return 1;
		return keep_frame ? keep_frame(static_cast<int>(arg)) : 0;
	}
};

__attribute__((noinline)) int start()
{
	int r = Spawner<int>::run(42);

	return keep_frame ? keep_frame(r) : r;
}

}  // namespace pw_test

int main()
{
	return pw_test::start() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
