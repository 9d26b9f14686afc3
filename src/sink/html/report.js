/*
 * procwatch's HTML report (procwatch --format=html): the script that draws
 * the page from the run, the JSON of the element "procwatch-data" (written
 * by src/sink/html_data.c in procwatch's source, which says what each key
 * is).  The template is src/sink/html/ there: report.html, report.css and
 * this file, put together at build time.
 *
 * What it draws: a header (the command, where and when it ran, how it
 * ended, the counts), the process tree with a bar per process on a time
 * axis (a segment per program it exec'd, markers for failed execs and
 * signals), a search over command lines, and the details of the selected
 * process.  Processes that failed, and the subtrees that hold them, come
 * first among their siblings and start expanded.
 *
 * For tens of thousands of processes: only the rows in view exist in the
 * document (a virtual list over the flattened tree, rebuilt on scroll),
 * the tree is flattened again only when it is folded or searched, and the
 * search runs over lowercase text built at the first search.  Every
 * string from the trace goes on the page through textContent, never as
 * markup.
 */
'use strict';

(function () {
	const ROW = 24;			/* px, as --row in report.css */
	const OVERSCAN = 12;		/* rows drawn above and below the view */
	const SMALL_RUN = 200;		/* a run this small starts fully expanded */
	const INDENT = 14;		/* px per level of the tree */
	const INDENT_MAX = 24;		/* levels drawn; deeper ones say their depth */
	const LABEL_MAX = 400;		/* characters of a command line in a row */
	const CHAIN_MAX = 100;		/* ancestors listed in the details */

	const data = JSON.parse(document.getElementById('procwatch-data').textContent);
	const procs = data.processes;
	const n = procs.length;

	const $ = id => document.getElementById(id);
	const rowsEl = $('rows');
	const scroller = $('scroller');
	const axisEl = $('axis');
	const detailsEl = $('details');
	const searchEl = $('search');

	/* Text: trace strings, times, statuses. */

	/* A trace string: a string, {text, hex} for bytes that are not UTF-8, or null. */
	function str(v) {
		if (v === null || v === undefined)
			return null;
		return typeof v === 'string' ? v : v.text;
	}

	/* One argument as a shell word that pastes back (as procwatch's timeline). */
	function shellWord(s) {
		if (s === null)
			return '?';
		if (/^[A-Za-z0-9_@%+=:,.\/-]+$/.test(s))
			return s;
		if (/[\x00-\x1f\x7f]/.test(s)) {
			return "$'" + s.replace(/[\\']/g, '\\$&').replace(/[\x00-\x1f\x7f]/g,
				c => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0')) + "'";
		}
		return "'" + s.replace(/'/g, "'\\''") + "'";
	}

	function shellLine(argv) {
		return argv.map(a => shellWord(str(a))).join(' ');
	}

	/* "850µs", "12.3ms", "4.21s", "3m07s", as procwatch's text views. */
	function dur(s) {
		const us = Math.max(0, Math.round(s * 1e6));
		if (us < 1000)
			return us + 'µs';
		if (us < 1e6)
			return (us / 1e3).toFixed(1) + 'ms';
		if (us < 6e7)
			return (us / 1e6).toFixed(2) + 's';
		return Math.floor(us / 6e7) + 'm' + String(Math.floor(us / 1e6) % 60).padStart(2, '0') + 's';
	}

	/* A moment of the run: "+1.234567s", with the time of day when known. */
	function when(t) {
		const rel = '+' + t.toFixed(6) + 's';
		if (!data.trace || !data.trace.wall_clock_us)
			return rel;
		const d = new Date(data.trace.wall_clock_us / 1000 + t * 1000);
		return rel + ' (' + d.toISOString().replace('T', ' ').replace('Z', ' UTC') + ')';
	}

	function statusText(st) {
		if (!st)
			return 'unknown';
		if (st.kind === 'exited')
			return 'exited ' + st.code;
		if (st.kind === 'killed')
			return 'killed by ' + st.signal + (st.core ? ' (core dumped)' : '');
		return st.kind + (st.signal ? ' by ' + st.signal : '');
	}

	function plural(k, one, many) {
		return k + ' ' + (k === 1 ? one : many);
	}

	/* The processes as a tree: parent, children, depth, what failed below. */

	const index = new Map();
	procs.forEach((p, i) => index.set(p.id, i));
	const parent = new Int32Array(n).fill(-1);
	const kids = new Array(n).fill(null);
	const tops = [];
	for (let i = 0; i < n; i++) {
		const up = procs[i].up === undefined ? undefined : index.get(procs[i].up);
		if (up === undefined) {
			tops.push(i);
		} else {
			parent[i] = up;
			(kids[up] || (kids[up] = [])).push(i);
		}
	}

	/* Preorder, iteratively: a fork chain thousands deep must not overflow. */
	const depth = new Int32Array(n);
	const preorder = [];
	for (const t of tops) {
		const stack = [t];
		while (stack.length) {
			const i = stack.pop();
			preorder.push(i);
			for (const k of kids[i] || []) {
				depth[k] = depth[i] + 1;
				stack.push(k);
			}
		}
	}
	/* Bottom-up: a failure below, and how many processes each subtree holds. */
	const failBelow = new Uint8Array(n);
	const size = new Int32Array(n).fill(1);
	for (let r = preorder.length - 1; r >= 0; r--) {
		const i = preorder[r], up = parent[i];
		if (up >= 0) {
			size[up] += size[i];
			if (procs[i].failed || failBelow[i])
				failBelow[up] = 1;
		}
	}
	/* Failing subtrees first, the rest in the order they were created. */
	const rank = i => (procs[i].failed || failBelow[i]) ? 0 : 1;
	const byRank = (a, b) => rank(a) - rank(b) || a - b;
	tops.sort(byRank);
	for (const k of kids)
		if (k)
			k.sort(byRank);

	const expanded = new Uint8Array(n);
	for (let i = 0; i < n; i++)
		expanded[i] = n <= SMALL_RUN || failBelow[i] || depth[i] === 0 ? 1 : 0;

	/* What a process is, in a word: the colour of its dot and bar. */
	function statusClass(p) {
		if (p.status) {
			if (p.status.kind === 'killed')
				return 'killed';
			return p.failed ? 'fail' : 'ok';
		}
		return p.cut ? 'cut' : (p.failed ? 'fail' : 'running');
	}

	/* The short status of a row: nothing for a success. */
	function badgeText(p) {
		if (p.status && p.status.kind === 'killed')
			return p.status.signal;
		if (p.status && p.status.kind === 'exited' && p.status.code !== 0)
			return 'exit ' + p.status.code;
		if (!p.status)
			return p.untraced ? 'not followed' : p.cut ? 'cut' : 'running';
		if (p.attempt && p.attempt.errno)
			return p.attempt.errno;
		return p.failed ? 'failed' : '';
	}

	function lastExec(p) {
		return p.execs ? p.execs[p.execs.length - 1] : null;
	}

	/* The command line a process is known by: its last program's, or the one it tried. */
	function argvOf(p) {
		const ex = lastExec(p);
		if (p.attempt && (!ex || p.attempt.t >= ex.t))
			return p.attempt.argv;
		return ex && ex.argv.length ? ex.argv : null;
	}

	const labels = new Array(n);
	function label(i) {
		if (labels[i] === undefined) {
			const argv = argvOf(procs[i]);
			const s = argv ? shellLine(argv) : '(' + (str(procs[i].name) || '?') + ')';
			labels[i] = s.length > LABEL_MAX ? s.slice(0, LABEL_MAX) + '…' : s;
		}
		return labels[i];
	}

	/* The visible rows: the tree flattened, folded or searched. */

	let rows = [];
	let search = null;		/* {query, match: Uint8Array, shown: Uint8Array, count} */

	function flatten() {
		rows = [];
		const stack = tops.slice().reverse();
		while (stack.length) {
			const i = stack.pop();
			if (search && !search.shown[i])
				continue;
			rows.push(i);
			const k = kids[i];
			if (k && (search || expanded[i]))
				for (let j = k.length - 1; j >= 0; j--)
					stack.push(k[j]);
		}
		rowsEl.style.height = rows.length * ROW + 'px';
		rowsEl.setAttribute('aria-rowcount', String(rows.length));
	}

	/* The time axis: the part of the run in view, [t0, t1] seconds. */

	let runEnd = data.end ? data.end.t : 0;
	for (const p of procs)
		runEnd = Math.max(runEnd, p.end || p.start);
	runEnd = Math.max(runEnd, 1e-6);
	const view = { t0: 0, t1: runEnd };

	function timeWidth() {
		return axisEl.clientWidth;
	}

	/* x in px of time t in the time column, clamped just outside it. */
	function xOf(t, w) {
		const x = (t - view.t0) / (view.t1 - view.t0) * w;
		return Math.min(Math.max(x, -2), w + 2);
	}

	function niceStep(range, count) {
		const raw = range / count;
		const mag = Math.pow(10, Math.floor(Math.log10(raw)));
		for (const m of [1, 2, 5])
			if (m * mag >= raw)
				return m * mag;
		return 10 * mag;
	}

	function tickLabel(t, step) {
		if (step < 1e-3)
			return +(t * 1e6).toFixed(0) + 'µs';
		if (step < 1)
			return +(t * 1e3).toFixed(step < 1e-2 ? 1 : 0) + 'ms';
		return +t.toFixed(step < 1 ? 2 : 1) + 's';
	}

	function drawAxis() {
		const w = timeWidth();
		const step = niceStep(view.t1 - view.t0, Math.max(2, Math.floor(w / 90)));
		const frag = document.createDocumentFragment();
		for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
			/* A label that would be cut at the right edge is left out. */
			if (xOf(t, w) > w - 40)
				break;
			const tick = document.createElement('span');
			tick.className = 'tick';
			tick.style.left = xOf(t, w) + 'px';
			tick.textContent = tickLabel(t, step);
			frag.appendChild(tick);
		}
		axisEl.replaceChildren(frag);
	}

	/* Rows: only those in view exist. */

	let selected = -1;

	function el(tag, cls, text) {
		const e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined && text !== null)
			e.textContent = text;
		return e;
	}

	/* The row's command line, with what the search found marked. */
	function cmdCell(i) {
		const cmd = el('span', 'cmd');
		const s = label(i);
		const at = search && search.match[i] ? s.toLowerCase().indexOf(search.query) : -1;
		if (at < 0) {
			cmd.textContent = s;
		} else {
			cmd.append(s.slice(0, at), el('mark', null, s.slice(at, at + search.query.length)),
				s.slice(at + search.query.length));
		}
		cmd.title = s;
		return cmd;
	}

	function nameCell(i, cls) {
		const p = procs[i];
		const cell = el('div', 'name ' + cls);
		cell.setAttribute('role', 'gridcell');
		/* At most a third of the column: the command must still show. */
		cell.style.paddingLeft = 'min(' + (4 + Math.min(depth[i], INDENT_MAX) * INDENT) + 'px, 33%)';
		const open = search || expanded[i];
		cell.append(el('span', 'twisty', kids[i] ? (open ? '▾' : '▸') : ''));
		if (depth[i] > INDENT_MAX)
			cell.append(el('span', 'hidden-count', '⋯' + depth[i]));
		cell.append(el('span', 'dot'), el('span', 'pid', String(p.pid)), cmdCell(i));
		const badge = badgeText(p);
		if (badge)
			cell.append(el('span', 'badge ' + cls, badge));
		if (p.warnings) {
			const warn = el('span', 'warn', '⚠');
			warn.title = p.warnings.map(w => w.kind).join(', ');
			cell.append(warn);
		}
		if (kids[i] && !open)
			cell.append(el('span', 'hidden-count', '+' + (size[i] - 1)));
		return cell;
	}

	/* The bar: its life, a segment per program, markers. */
	function timeCell(i, cls, w) {
		const p = procs[i];
		const cell = el('div', 'time');
		cell.setAttribute('role', 'gridcell');
		const end = p.end === undefined ? runEnd : p.end;
		if (end < view.t0 || p.start > view.t1)
			return cell;
		/* At least 2px, inside the column: a process of 1µs at the end still shows. */
		const x0 = Math.min(xOf(p.start, w), w - 2), x1 = Math.max(xOf(end, w), x0 + 2);
		const bar = el('div', 'bar ' + cls);
		bar.style.left = x0 + 'px';
		bar.style.width = x1 - x0 + 'px';
		cell.append(bar);
		const ex = p.execs || [];
		for (let k = 0; k < ex.length; k++) {
			const s0 = xOf(Math.max(ex[k].t, p.start), w);
			const s1 = Math.max(xOf(k + 1 < ex.length ? ex[k + 1].t : end, w), s0 + 1);
			if (s1 < 0 || s0 > w)
				continue;
			const seg = el('div', 'seg ' + cls, s1 - s0 > 24 ? baseName(ex[k]) : null);
			seg.style.left = s0 + 'px';
			seg.style.width = s1 - s0 + 'px';
			cell.append(seg);
		}
		for (const m of (p.failed_execs || []).concat(p.signals || [])) {
			const mark = el('div', m.signal ? 'mark signal' : 'mark');
			mark.style.left = xOf(m.t, w) - 1 + 'px';
			mark.title = m.signal ? m.signal : 'exec failed: ' + (m.errno || 'unfinished');
			cell.append(mark);
		}
		return cell;
	}

	function baseName(ex) {
		const a = ex.argv.length ? str(ex.argv[0]) : str(ex.path);
		return a ? a.slice(a.lastIndexOf('/') + 1) || a : '?';
	}

	function rowElement(r, w) {
		const i = rows[r];
		const cls = statusClass(procs[i]);
		const row = el('div', 'row ' + cls);
		row.setAttribute('role', 'row');
		row.setAttribute('aria-rowindex', String(r + 1));
		row.setAttribute('aria-level', String(depth[i] + 1));
		row.setAttribute('aria-selected', String(i === selected));
		if (kids[i])
			row.setAttribute('aria-expanded', String(Boolean(search || expanded[i])));
		if (i === selected)
			row.classList.add('selected');
		if (search && search.match[i])
			row.classList.add('match');
		row.dataset.index = String(i);
		row.style.top = r * ROW + 'px';
		row.append(nameCell(i, cls), timeCell(i, cls, w));
		return row;
	}

	let pending = false;
	function render() {
		pending = false;
		const w = timeWidth();
		const top = Math.max(0, scroller.scrollTop - rowsEl.offsetTop);
		const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
		const last = Math.min(rows.length, Math.ceil((top + scroller.clientHeight) / ROW) + OVERSCAN);
		const frag = document.createDocumentFragment();
		for (let r = first; r < last; r++)
			frag.appendChild(rowElement(r, w));
		rowsEl.replaceChildren(frag);
	}

	function schedule() {
		if (!pending) {
			pending = true;
			requestAnimationFrame(render);
		}
	}

	function redraw() {
		drawAxis();
		render();
	}

	/* Folding, selecting, and keeping the selection in view. */

	function toggle(i, open) {
		if (!kids[i] || search)
			return;
		expanded[i] = open === undefined ? 1 - expanded[i] : (open ? 1 : 0);
		flatten();
		render();
	}

	function scrollToRow(r) {
		const top = rowsEl.offsetTop + r * ROW;
		const bottom = top + ROW;
		const headroom = rowsEl.offsetTop;
		if (top - headroom < scroller.scrollTop)
			scroller.scrollTop = top - headroom;
		else if (bottom > scroller.scrollTop + scroller.clientHeight)
			scroller.scrollTop = bottom - scroller.clientHeight;
	}

	function select(i, reveal) {
		selected = i;
		if (reveal && !search) {
			let changed = false;
			for (let up = parent[i]; up >= 0; up = parent[up]) {
				changed = changed || !expanded[up];
				expanded[up] = 1;
			}
			if (changed)
				flatten();
		}
		const r = rows.indexOf(i);
		if (r >= 0)
			scrollToRow(r);
		render();
		showDetails(i);
	}

	/* The details pane. */

	function link(i) {
		const b = el('button', 'link mono', procs[i].pid + ' ' + label(i));
		b.type = 'button';
		b.addEventListener('click', () => select(i, true));
		return b;
	}

	function section(title, body) {
		const frag = document.createDocumentFragment();
		frag.append(el('h3', null, title), body);
		return frag;
	}

	function defList(pairs) {
		const dl = el('dl');
		for (const [k, v] of pairs) {
			if (v === null || v === undefined || v === '')
				continue;
			dl.append(el('dt', null, k));
			const dd = el('dd');
			dd.append(v);
			dl.append(dd);
		}
		return dl;
	}

	function lifeText(p) {
		if (p.status) {
			const life = p.end - p.start + (p.age || 0);
			return statusText(p.status) + ' after ' + dur(life);
		}
		if (p.untraced)
			return 'not followed (CLONE_UNTRACED): made, but nothing it did was traced';
		if (p.detached)
			return 'still running when procwatch detached';
		return p.cut ? 'still running when the trace was cut' : 'still running';
	}

	/* "812 KiB", "4.5 MiB", "45 MiB", "1.2 GiB", as procwatch's text views. */
	function kib(k) {
		if (k < 1024)
			return k + ' KiB';
		let v = k / 1024, u = 0;
		const units = ['MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
		while (v >= 1024 && u + 1 < units.length) {
			v /= 1024;
			u++;
		}
		return v.toFixed(v < 10 ? 1 : 0) + ' ' + units[u];
	}

	/*
	 * What it used, read at its end: CPU time as one figure (user plus
	 * system, what one compares) and how it divides; the peak resident
	 * memory of what it ran last.  A process killed by SIGKILL, or still
	 * running, has none.
	 */
	function usage(p) {
		const u = p.usage || {};
		const none = () => el('span', 'note', p.status ? 'not known' : 'not known while it runs');
		const user = u.user_us, sys = u.system_us;
		let cpu = none();
		if (typeof user === 'number' && typeof sys === 'number')
			cpu = dur((user + sys) / 1e6) + ' (user ' + dur(user / 1e6) + ', system ' + dur(sys / 1e6) + ')';
		else if (typeof user === 'number' || typeof sys === 'number')
			cpu = typeof user === 'number' ? 'user ' + dur(user / 1e6) : 'system ' + dur(sys / 1e6);
		const mem = typeof u.peak_rss_kib === 'number' ? 'peak ' + kib(u.peak_rss_kib) : none();
		return [['CPU', cpu], ['memory', mem]];
	}

	/* "vfork()", "posix_spawn: clone3(CLONE_VM|CLONE_VFORK|SIGCHLD)": the call as made. */
	function spawnText(p) {
		if (!p.spawn)
			return null;
		if (!p.call)
			return p.spawn;
		const args = p.call === 'fork' || p.call === 'vfork' ? [] :
			(p.flags || []).concat(p.exit_signal ? [p.exit_signal] : []);
		return (p.spawn === p.call ? '' : p.spawn + ': ') + p.call + '(' + args.join('|') + ')';
	}

	/* Arguments that were not UTF-8: their exact bytes. */
	function rawNotes(argv) {
		const ul = el('ul');
		argv.forEach((a, k) => {
			if (a && typeof a === 'object')
				ul.append(el('li', 'mono', 'argv[' + k + '] is not UTF-8; its bytes: ' + a.hex));
		});
		return ul.childElementCount ? ul : null;
	}

	function stackBlock(title, frames, note) {
		const lines = (frames || []).map(f => 'at ' + (f === null ? '?' : f));
		if (note)
			lines.push('… ' + note);
		return section(title, el('pre', null, lines.join('\n')));
	}

	function imageList(p) {
		const ol = el('ol');
		for (const ex of p.execs) {
			const li = el('li');
			li.append(el('code', null, shellLine(ex.argv)), ' ',
				el('span', 'note', when(ex.t) + (ex.cwd ? ' in ' + str(ex.cwd) : '') +
					(ex.attached ? ', running when procwatch attached' : '')));
			ol.append(li);
		}
		return ol;
	}

	function markList(list, text) {
		const ol = el('ol');
		for (const m of list)
			ol.append(el('li', 'mono', text(m) + ' at ' + when(m.t)));
		return ol;
	}

	/* The processes that started it, its parent first; of a fork chain thousands deep, the nearest. */
	function chain(i) {
		const ol = el('ol');
		let k = 0;
		for (let up = parent[i]; up >= 0; up = parent[up]) {
			if (k++ === CHAIN_MAX) {
				ol.append(el('li', 'note', '… ' + plural(depth[i] - CHAIN_MAX, 'more', 'more') + ' above'));
				break;
			}
			const li = el('li');
			li.append(link(up));
			ol.append(li);
		}
		return ol;
	}

	function showDetails(i) {
		const p = procs[i];
		const cls = statusClass(p);
		const ex = lastExec(p);
		const argv = argvOf(p);
		const out = document.createDocumentFragment();
		const h = el('h2', cls);
		h.append(el('span', 'dot'), String(p.pid) + ' ' + (str(p.name) || '?'));
		out.append(h);
		out.append(el('pre', 'argv', argv ? shellLine(argv) : '(' + (str(p.name) || '?') + ', no exec of its own)'));
		const raw = argv && rawNotes(argv);
		if (raw)
			out.append(raw);
		const cwd = p.attempt && argv === p.attempt.argv ? p.attempt.cwd : ex && ex.cwd;
		out.append(defList([
			['status', lifeText(p) + (p.attempt && p.attempt.errno ? '; its last exec failed: ' + p.attempt.errno : '')],
			['program', str((p.attempt && argv === p.attempt.argv ? p.attempt : ex || {}).path)],
			['script run by', ex && ex.interpreter ? str(ex.interpreter) : null],
			['directory', str(cwd)],
			['started', when(p.start) + (p.attached ? ', already running (attached)' : '')],
			['ended', p.end === undefined ? null : when(p.end)],
			...usage(p),
			['created by', parent[i] >= 0 ? link(parent[i]) : (p.creator ? String(p.creator) : null)],
			['spawned with', spawnText(p)],
			['threads', p.threads ? String(p.threads) : null],
			['reaped by', p.reaped_by ? String(p.reaped_by) : null],
			['orphaned', p.orphaned ? 'yes: its parent ended first' : null],
			['children', kids[i] ? kids[i].length + ' (' + (size[i] - 1) + ' below in all)' : null],
			['PATH misses', p.path_misses ? String(p.path_misses) : null],
		]));
		if (p.warnings) {
			const ul = el('ul');
			for (const w of p.warnings)
				ul.append(el('li', null, '⚠ ' + w.kind + (w.text ? ': ' + w.text : '')));
			out.append(section('warnings', ul));
		}
		if (parent[i] >= 0)
			out.append(section('started from', chain(i)));
		if (p.execs && (p.execs.length > 1 || p.attempt))
			out.append(section('programs run', imageList(p)));
		if (p.failed_execs)
			out.append(section('failed exec attempts', markList(p.failed_execs,
				m => str(m.path) + ': ' + (m.errno || 'the task died in it'))));
		if (p.signals)
			out.append(section('signals received', markList(p.signals,
				m => m.signal + (m.sender ? ' from ' + m.sender : ''))));
		if (ex && ex.fds)
			out.append(section('inherited descriptors', el('pre', null,
				ex.fds.map(([fd, target]) => fd + ' → ' + (str(target) || '?')).join('\n'))));
		if (p.spawn_stack)
			out.append(stackBlock('stack at its spawn', p.spawn_stack, p.spawn_stack_note));
		for (const e of p.execs || [])
			if (e.stack)
				out.append(stackBlock('stack at exec of ' + baseName(e), e.stack, e.stack_note));
		for (const m of p.failed_execs || [])
			if (m.stack)
				out.append(stackBlock('stack at failed exec of ' + str(m.path), m.stack, m.stack_note));
		detailsEl.replaceChildren(out);
	}

	/* Search over command lines (every argv a process exec'd or tried, and paths). */

	let haystack = null;
	function buildHaystack() {
		haystack = new Array(n);
		for (let i = 0; i < n; i++) {
			const p = procs[i], parts = [str(p.name) || ''];
			for (const e of (p.execs || []).concat(p.attempt ? [p.attempt] : []))
				parts.push(e.argv.map(a => str(a) || '').join(' '), str(e.path) || '');
			for (const m of p.failed_execs || [])
				parts.push(str(m.path) || '');
			haystack[i] = parts.join('\n').toLowerCase();
		}
	}

	function runSearch() {
		const q = searchEl.value.trim().toLowerCase();
		if (!q) {
			search = null;
			$('search-status').textContent = '';
		} else {
			if (!haystack)
				buildHaystack();
			const match = new Uint8Array(n), shown = new Uint8Array(n);
			let count = 0;
			for (let i = 0; i < n; i++) {
				if (!haystack[i].includes(q))
					continue;
				match[i] = 1;
				count++;
				for (let j = i; j >= 0 && !shown[j]; j = parent[j])
					shown[j] = 1;
			}
			search = { query: q, match, shown, count };
			$('search-status').textContent = count ?
				count + ' of ' + plural(n, 'process', 'processes') + ' match' :
				'no process matches';
		}
		flatten();
		scroller.scrollTop = 0;
		const first = search ? rows.find(i => search.match[i]) : undefined;
		if (first !== undefined)
			select(first);
		else
			render();
	}

	/* The next match after the selection, in the order of the rows. */
	function nextMatch(step) {
		if (!search || !search.count)
			return;
		const from = rows.indexOf(selected);
		for (let k = 1; k <= rows.length; k++) {
			const r = ((from + step * k) % rows.length + rows.length) % rows.length;
			if (search.match[rows[r]])
				return select(rows[r]);
		}
	}

	let searchTimer = 0;
	searchEl.addEventListener('input', () => {
		clearTimeout(searchTimer);
		searchTimer = setTimeout(runSearch, 120);
	});
	searchEl.addEventListener('keydown', e => {
		if (e.key === 'Enter') {
			clearTimeout(searchTimer);
			if (!search || search.query !== searchEl.value.trim().toLowerCase())
				runSearch();
			else
				nextMatch(e.shiftKey ? -1 : 1);
		} else if (e.key === 'Escape') {
			searchEl.value = '';
			runSearch();
		}
	});

	/* Mouse and keyboard on the tree. */

	rowsEl.addEventListener('click', e => {
		const row = e.target.closest('.row');
		if (!row)
			return;
		const i = Number(row.dataset.index);
		if (e.target.classList.contains('twisty'))
			toggle(i);
		select(i);
	});
	rowsEl.addEventListener('dblclick', e => {
		const row = e.target.closest('.row');
		if (row && !e.target.classList.contains('twisty'))
			toggle(Number(row.dataset.index));
	});

	scroller.addEventListener('keydown', e => {
		const r = rows.indexOf(selected);
		const go = to => {
			e.preventDefault();
			if (to >= 0 && to < rows.length)
				select(rows[to]);
		};
		switch (e.key) {
		case 'ArrowDown': return go(r + 1);
		case 'ArrowUp': return go(Math.max(0, r - 1));
		case 'Home': return go(0);
		case 'End': return go(rows.length - 1);
		case 'PageDown': return go(Math.min(rows.length - 1, r + Math.floor(scroller.clientHeight / ROW)));
		case 'PageUp': return go(Math.max(0, r - Math.floor(scroller.clientHeight / ROW)));
		case 'ArrowRight':
			e.preventDefault();
			if (selected >= 0 && kids[selected] && !expanded[selected] && !search)
				return toggle(selected, true);
			return go(r + 1);
		case 'ArrowLeft':
			e.preventDefault();
			if (selected >= 0 && kids[selected] && expanded[selected] && !search)
				return toggle(selected, false);
			if (selected >= 0 && parent[selected] >= 0)
				select(parent[selected]);
			return;
		case 'Enter':
		case ' ':
			e.preventDefault();
			return selected >= 0 ? toggle(selected) : undefined;
		}
	});
	document.addEventListener('keydown', e => {
		if (e.key === '/' && document.activeElement !== searchEl) {
			e.preventDefault();
			searchEl.focus();
		}
	});
	scroller.addEventListener('scroll', schedule);
	window.addEventListener('resize', () => requestAnimationFrame(redraw));

	$('expand-all').addEventListener('click', () => {
		expanded.fill(1);
		flatten();
		render();
	});
	$('collapse-all').addEventListener('click', () => {
		expanded.fill(0);
		flatten();
		if (selected >= 0 && rows.indexOf(selected) < 0)
			selected = -1;
		render();
	});

	/* Zooming the time axis: drag over it, Ctrl+wheel, Shift+wheel pans. */

	function setView(t0, t1) {
		const span = Math.max(t1 - t0, runEnd * 1e-6, 1e-6);
		view.t0 = Math.max(0, Math.min(t0, runEnd - span));
		view.t1 = view.t0 + span;
		redraw();
	}

	function timeAt(clientX) {
		const box = axisEl.getBoundingClientRect();
		return view.t0 + (clientX - box.left) / box.width * (view.t1 - view.t0);
	}

	let brush = null;
	axisEl.addEventListener('mousedown', e => {
		brush = { x: e.clientX, el: el('div', 'brush') };
		axisEl.append(brush.el);
	});
	window.addEventListener('mousemove', e => {
		if (!brush)
			return;
		const box = axisEl.getBoundingClientRect();
		const a = Math.min(brush.x, e.clientX) - box.left, b = Math.max(brush.x, e.clientX) - box.left;
		brush.el.style.left = a + 'px';
		brush.el.style.width = b - a + 'px';
	});
	window.addEventListener('mouseup', e => {
		if (!brush)
			return;
		const from = brush.x;
		brush.el.remove();
		brush = null;
		if (Math.abs(e.clientX - from) > 4)
			setView(timeAt(Math.min(from, e.clientX)), timeAt(Math.max(from, e.clientX)));
	});
	axisEl.addEventListener('dblclick', () => setView(0, runEnd));
	$('zoom-reset').addEventListener('click', () => setView(0, runEnd));
	scroller.addEventListener('wheel', e => {
		if (!e.ctrlKey && !e.shiftKey)
			return;
		e.preventDefault();
		const span = view.t1 - view.t0;
		if (e.shiftKey) {
			const shift = (e.deltaY || e.deltaX) / 1000 * span;
			setView(view.t0 + shift, view.t1 + shift);
			return;
		}
		const at = timeAt(e.clientX), f = Math.exp(e.deltaY / 300);
		setView(at - (at - view.t0) * f, at + (view.t1 - at) * f);
	}, { passive: false });

	/* The header. */

	function header() {
		const tr = data.trace;
		const title = tr && tr.argv ? shellLine(tr.argv) :
			tr && tr.pids ? 'attached to ' + tr.pids.join(', ') :
			n ? label(tops[0]) : 'an empty run';
		$('title').textContent = title;
		document.title = 'procwatch: ' + title;
		const run = [];
		if (tr) {
			run.push('on ' + (str(tr.hostname) || '?') + ' (Linux ' + (str(tr.kernel) || '?') + ')');
			if (tr.cwd)
				run.push('in ' + str(tr.cwd));
			if (tr.wall_clock_us)
				run.push(new Date(tr.wall_clock_us / 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'));
		}
		run.push('for ' + dur(data.end.t));
		if (data.end.status)
			run.push('the command ' + statusText(data.end.status));
		if (tr && tr.procwatch)
			run.push('procwatch ' + str(tr.procwatch) + (tr.stack ? ', -k' : ''));
		$('run').textContent = run.join(' · ');
		counts();
		notices();
	}

	function counts() {
		const c = data.counts;
		const failed = procs.filter(p => p.failed).length;
		const parts = [[plural(c.processes, 'process', 'processes')],
			[failed + ' failed', failed > 0],
			[plural(c.threads, 'thread', 'threads')],
			[plural(c.execs, 'exec', 'execs')],
			[plural(c.failed_execs, 'failed exec', 'failed execs'), c.failed_execs > 0],
			[plural(c.nonzero_exits, 'non-zero exit', 'non-zero exits'), c.nonzero_exits > 0],
			[c.signals + ' killed by a signal', c.signals > 0]];
		const warnings = Object.entries(c.warnings).map(([k, v]) => v + ' ' + k);
		if (warnings.length)
			parts.push(['warnings: ' + warnings.join(', ')]);
		const p = $('counts');
		parts.forEach(([text, bad], k) => {
			if (k)
				p.append(', ');
			p.append(bad ? el('span', 'bad', text) : text);
		});
	}

	function notices() {
		const box = $('notices');
		const say = text => box.append(el('p', 'notice', text));
		const cut = procs.filter(p => p.cut).length;
		if (!data.end.ended)
			say('The trace stops without its end (was the traced job killed?): ' +
				plural(cut, 'process was', 'processes were') + ' still running where it was cut.');
		if (data.end.lost)
			say('procwatch missed ' + plural(data.end.lost, 'event', 'events') + ' of this run.');
		if (data.end.detached)
			say('procwatch detached while processes were still running.');
		if (data.incomplete)
			say('procwatch ran out of memory while reading the trace: this report shows less than happened.');
		if (data.filter) {
			const f = data.filter, what = [];
			if (f.pids)
				what.push('--pid=' + f.pids.join(','));
			if (f.match !== undefined)
				what.push('--match=' + shellWord(f.match));
			if (f.depth !== undefined)
				what.push('--depth=' + f.depth);
			say('Filtered with ' + what.join(' ') + ': only ' + plural(n, 'process is', 'processes are') + ' shown.');
		}
	}

	/* Start: failures first, the innermost of the first one selected. */

	function firstFailure() {
		let i = tops.find(t => procs[t].failed || failBelow[t]);
		if (i === undefined)
			return tops.length ? tops[0] : -1;
		while (failBelow[i])
			i = kids[i].find(k => procs[k].failed || failBelow[k]);
		return i;
	}

	header();
	flatten();
	drawAxis();
	const start = firstFailure();
	if (start >= 0)
		select(start, true);
	else
		render();
	if (!n)
		detailsEl.append(el('p', 'hint', 'No process was traced.'));
	document.documentElement.dataset.ready = 'true';
	performance.mark('procwatch-ready');
	/* After the first frame with the rows in it: what a person waits for. */
	requestAnimationFrame(() => setTimeout(() => performance.mark('procwatch-drawn')));
})();
