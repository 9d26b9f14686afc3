// SPDX-License-Identifier: GPL-2.0-or-later
//
// The HTML report in a real browser: Debian's headless Chromium driven by
// playwright-core, one launch for every check.  Run by html_browser.sh,
// which makes the reports and turns each line this prints into TAP:
//   RESULT <TAB> ok|not ok <TAB> description [<TAB> diagnostic]
//
// Usage: node html_browser.js check DIR LIMIT_MS
//   DIR holds build.html and build.jsonl (a failing make -j2 -k, optional),
//   big.html and big.jsonl (a build of thousands of processes),
//   chain.html and chain.jsonl (a deep fork chain), hostile.html; the big report must draw its first rows within LIMIT_MS
//   of navigation.
// Usage: node html_browser.js shot REPORT.html PNG [ROW_TEXT]
//   A screenshot of the report with the row whose command is ROW_TEXT
//   selected (scripts/html-screenshot).
// PLAYWRIGHT (the playwright-core directory) and CHROMIUM come from the
// environment.
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require(process.env.PLAYWRIGHT);

function result(ok, what, diag) {
	const line = ['RESULT', ok ? 'ok' : 'not ok', what];
	if (!ok && diag !== undefined)
		line.push(JSON.stringify(diag));
	console.log(line.join('\t'));
}

// The trace, and what a reader of it expects of the report.
function readTrace(file) {
	const events = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));
	const start = events.find(e => e.event === 'start');
	const spawns = events.filter(e => e.event === 'spawn' && !e.thread && e.child > 0);
	const text = a => typeof a === 'string' ? a : a.text;
	const argvByPid = new Map();
	for (const e of events)
		if (e.event === 'exec' && e.argv)
			argvByPid.set(e.pid, (argvByPid.get(e.pid) || []).concat([e.argv.map(text).join(' ')]));
	const header = events.find(e => e.event === 'trace');
	return {
		events,
		stack: header && header.options ? header.options.stack : 0,
		processes: (start && start.mode !== 'attach' ? 1 : 0) + spawns.length,
		spawns,
		// How many processes exec'd a command line holding s (the search's count).
		matching: s => [...argvByPid.values()].filter(l => l.some(c => c.toLowerCase().includes(s))).length,
		pidOf: re => [...argvByPid.entries()].find(([, l]) => l.some(c => re.test(c)))?.[0],
	};
}

async function open(browser, file) {
	const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
	const problems = [];
	page.on('pageerror', e => problems.push('page error: ' + e.message));
	page.on('dialog', d => {
		problems.push('dialog: ' + d.type() + ' ' + d.message());
		d.dismiss().catch(() => {});
	});
	page.on('console', m => {
		if (m.type() === 'error' || m.type() === 'warning')
			problems.push('console ' + m.type() + ': ' + m.text());
	});
	await page.goto('file://' + path.resolve(file));
	await page.waitForFunction(() => document.documentElement.dataset.ready === 'true',
		null, { timeout: 60000 });
	return { page, problems };
}

// The rows drawn now: index, pid, command, classes.
function rows(page) {
	return page.$$eval('#rows .row', rs => rs.map(r => ({
		index: Number(r.getAttribute('aria-rowindex')),
		pid: Number(r.querySelector('.pid').textContent),
		cmd: r.querySelector('.cmd').textContent,
		cls: r.className,
	})).sort((a, b) => a.index - b.index));
}

const rowCount = page => page.$eval('#rows', e => Number(e.getAttribute('aria-rowcount')));

async function search(page, text) {
	await page.fill('#search', text);
	await page.waitForFunction(() => /match/.test(document.getElementById('search-status').textContent));
	return page.textContent('#search-status');
}

async function details(page) {
	return page.$eval('#details', d => ({
		title: d.querySelector('h2')?.textContent,
		argv: d.querySelector('pre.argv')?.textContent,
		fields: Object.fromEntries([...d.querySelectorAll('dt')].map(dt =>
			[dt.textContent, dt.nextElementSibling.textContent])),
		sections: [...d.querySelectorAll('h3')].map(h => [h.textContent,
			h.nextElementSibling ? h.nextElementSibling.textContent : '']),
	}));
}

// A failing make -j2 -k: what a person looks at first.
async function checkBuild(browser, dir) {
	const trace = readTrace(path.join(dir, 'build.jsonl'));
	const { page, problems } = await open(browser, path.join(dir, 'build.html'));
	const first = await rows(page);
	const bad = trace.pidOf(/^cc .*bad\.c$/);
	const makeKids = trace.spawns.filter(s => s.parent === trace.events.find(e => e.event === 'start').pid);
	result(first[0] && /^make /.test(first[0].cmd) && first[0].cls.split(' ').includes('fail'),
		'build: make, which failed, is the first row', first[0]);
	result(first[1] && first[1].pid === bad && first[1].cls.includes('fail') &&
		makeKids.findIndex(s => s.child === bad) > 0,
		'build: the failed compile comes first under make, though make started it later', { first: first.slice(0, 3), bad });
	const d0 = await details(page);
	result(d0.fields.status && d0.fields.status.startsWith('exited 1 after') && /bad\.c/.test(d0.argv),
		'build: the details show a failure of bad.c at once', d0);
	const stacks = d0.sections.filter(([title, body]) => /^stack at /.test(title) && /^at /m.test(body));
	if (trace.stack)
		result(stacks.length > 0, '-k: the details show its stacks', d0.sections);
	else
		result(stacks.length === 0, 'without -k: no stack in the details', d0.sections);
	await page.click('#expand-all');
	const all = await rowCount(page);
	result(all === trace.processes, `build: expanded, the tree has the trace's ${trace.processes} processes`, all);
	const counts = await page.textContent('#counts');
	result(counts.startsWith(trace.processes + ' processes'), 'build: the header counts them too', counts);

	const want = trace.matching('bad.c');
	const status = await search(page, 'bad.c');
	const matched = (await rows(page)).filter(r => r.cls.includes('match'));
	result(want > 0 && status === `${want} of ${trace.processes} processes match` && matched.length === want &&
		matched.every(r => r.cmd.includes('bad.c')),
		`search "bad.c": the ${want} processes whose command line holds it`, { status, matched });
	await page.fill('#search', '');
	await page.waitForFunction(() => document.getElementById('search-status').textContent === '');

	const a = (await rows(page)).find(r => r.cmd === 'cc -c -o a.o a.c');
	if (a)
		await page.click(`#rows .row[aria-rowindex="${a.index}"] .cmd`);
	const d = await details(page);
	const cwd = trace.events.find(e => e.event === 'exec' && e.pid === a?.pid)?.cwd;
	result(a && d.argv === 'cc -c -o a.o a.c' && d.fields.directory === cwd &&
		/^exited 0 after /.test(d.fields.status) && d.title.startsWith(a.pid + ' ') &&
		/^[0-9.]+(µs|ms|s) \(user [0-9.]+(µs|ms|s), system [0-9.]+(µs|ms|s)\)$/.test(d.fields.CPU) &&
		/^peak [0-9.]+ (KiB|MiB)$/.test(d.fields.memory),
		'click: the details pane shows the argv, directory, status, CPU and memory of cc a.c',
		{ a, d, cwd });
	result(problems.length === 0, 'build: no console or page errors', problems);
	await page.close();
}

// A build of thousands of processes: drawn in time, and every part still works.
async function checkBig(browser, dir, limit) {
	const file = path.join(dir, 'big.html');
	const trace = readTrace(path.join(dir, 'big.jsonl'));
	const { page, problems } = await open(browser, file);
	await page.waitForFunction(() => performance.getEntriesByName('procwatch-drawn').length > 0);
	const [ready, drawn] = await page.evaluate(() => ['procwatch-ready', 'procwatch-drawn'].map(
		name => Math.round(performance.getEntriesByName(name)[0].startTime)));
	console.log(`# ${trace.processes} processes, ${fs.statSync(file).size} bytes: ` +
		`script done ${ready} ms, first rows drawn ${drawn} ms after navigation`);
	result(drawn < limit, `${trace.processes} processes: drawn within ${limit} ms`, drawn);

	// The failed compile's sh, cc and cc1 (nested, in pid order) come
	// right after make, though make started them half way; cc1 is shown.
	const failed = trace.events.filter(e => e.event === 'exit' && e.code === 1).map(e => e.pid)
		.sort((x, y) => x - y);
	const first = await rows(page);
	const d = await details(page);
	result(failed.length === 3 && first.slice(1, 4).every((r, k) => r.pid === failed[k] &&
		r.cls.split(' ').includes('fail')) && d.title.startsWith(failed[2] + ' '),
		'big: the failed compile, started half way, is first, cc1 shown', { failed, first: first.slice(0, 5), d });
	await page.click('#expand-all');
	const all = await rowCount(page);
	result(all === trace.processes, `big: expanded, the tree has all ${trace.processes}`, all);
	await page.$eval('#scroller', s => { s.scrollTop = s.scrollHeight; });
	await page.waitForTimeout(300);
	const last = (await rows(page)).pop();
	result(last && last.index === all, 'big: scrolled to the end, the last row is drawn', last);

	const want = trace.matching('f01234.c');
	const t0 = Date.now();
	const status = await search(page, 'f01234.c');
	const took = Date.now() - t0;
	console.log(`# searching ${trace.processes} command lines took ${took} ms, with the 120 ms pause after typing`);
	const found = await details(page);
	result(want === 3 && status === `${want} of ${trace.processes} processes match` &&
		/f01234\.c/.test(found.argv), 'big: search finds the 3 processes of one compile and shows the first',
		{ want, status, found });
	result(problems.length === 0, 'big: no console or page errors', problems);
	await page.close();
}

// The failure at the end of a chain of forks thousands deep: shown at
// load, its row drawn with its depth, its chain of ancestors cut short.
async function checkChain(browser, dir) {
	const trace = readTrace(path.join(dir, 'chain.jsonl'));
	const { page, problems } = await open(browser, path.join(dir, 'chain.html'));
	const deepest = trace.events.find(e => e.event === 'exit' && e.code === 1).pid;
	const d = await details(page);
	const row = (await rows(page)).find(r => r.cls.split(' ').includes('selected'));
	const chain = d.sections.find(([title]) => title === 'started from');
	const links = await page.$$eval('#details ol .link', l => l.length);
	// However deep, the command shows, inside the tree's column.
	const cmd = await page.$eval('#rows .row.selected', r => {
		const c = r.querySelector('.cmd').getBoundingClientRect();
		return { width: c.width, right: c.right, column: r.querySelector('.time').getBoundingClientRect().left };
	});
	result(d.title && d.title.startsWith(deepest + ' ') && row && row.pid === deepest &&
		row.index === trace.processes && chain && /… 2899 more above$/.test(chain[1]) &&
		links === 100 && cmd.width > 40 && cmd.right <= cmd.column && problems.length === 0,
		`a chain of ${trace.processes} forks: the deepest, which failed, shown and readable; its details cut short`,
		{ deepest, title: d.title, row, chain: chain && chain[1].slice(-40), links, cmd, problems });
	await page.close();
}

// Argv built to break out of the data or into markup shows as text.
async function checkHostile(browser, dir) {
	const { page, problems } = await open(browser, path.join(dir, 'hostile.html'));
	const cmds = (await rows(page)).map(r => r.cmd).join('\n');
	const made = await page.evaluate(() => ({
		scripts: document.scripts.length,
		elements: document.querySelectorAll('img, iframe, object, embed').length,
		dir: [...document.querySelectorAll('#details dt')].find(dt => dt.textContent === 'directory')
			?.nextElementSibling.textContent,
	}));
	result(made.scripts === 2 && made.elements === 0 &&
		cmds.includes('</script><script>alert(1)</script>') && cmds.includes("'<!--'") &&
		cmds.includes('<img src=x onerror=alert(2)>') && cmds.includes('<!--<script>'),
		'hostile argv: shown as text, no element made', { made, cmds });
	result(problems.length === 0, 'hostile argv: no script run, no console or page errors (none blocked)',
		problems);
	await page.close();
}

async function shot(browser, file, png, rowText) {
	const { page, problems } = await open(browser, file);
	if (rowText) {
		const row = (await rows(page)).find(r => r.cmd === rowText);
		if (!row)
			throw new Error(`no row "${rowText}"`);
		await page.click(`#rows .row[aria-rowindex="${row.index}"] .cmd`);
	}
	// As high as the details pane of a small run needs, no emptier.
	await page.setViewportSize({ width: 1280, height: 600 });
	await page.waitForTimeout(300);
	await page.screenshot({ path: png });
	if (problems.length)
		throw new Error(problems.join('\n'));
}

(async () => {
	const [mode, ...args] = process.argv.slice(2);
	const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
	try {
		if (mode === 'shot') {
			await shot(browser, ...args);
		} else {
			const [dir, limit] = args;
			if (fs.existsSync(path.join(dir, 'build.html')))
				await checkBuild(browser, dir);
			await checkBig(browser, dir, Number(limit));
			await checkChain(browser, dir);
			await checkHostile(browser, dir);
		}
	} finally {
		await browser.close();
	}
})().catch(e => {
	console.error(e);
	process.exit(1);
});
