#!/usr/bin/env bash
# The Dockerfile's build without Docker (no engine on the CI machine): the build stage's steps on a clean copy
# of the build context, then the final stage's files alone in a directory of their own, started the way the
# image's CMD starts them. Passing proves that the image's production-only node_modules, dist and migrations are
# enough to run: the app starts on embedded PGlite, answers /healthz, /readyz and the image's HEALTHCHECK, polls a
# fake Telegram on loopback, and exits 0 on SIGTERM.
#
# What is taken from the Dockerfile: the COPY lines of both stages (sources, destinations, the build context
# filtered by .dockerignore), the final stage's ENV, HEALTHCHECK and CMD. The build stage's RUN lines are
# compared with the steps this script performs and any difference fails the check, as does a CMD that differs
# from `npm start`. The final stage's RUN lines (root filesystem set-up) are not reproduced.
#
# Usage: .ci/build-check.sh      (about a minute; network or a warm npm cache for `npm ci`)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STARTED_AT=$(date +%s)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/build-check.XXXXXX")"
BUILD="$WORK/build"   # the build stage's /app
FINAL="$WORK/final"   # the final stage's /app: a sibling, so nothing under $BUILD is resolvable from it
FAKE_PID=""
APP_PID=""

say() { printf '%s\n' "$*"; }
pass() { say "PASS: $*"; }
fail() {
  say "FAIL: $*"
  if [[ -s "$WORK/app.log" ]]; then
    say "--- last lines of the app's output"
    tail -n 25 "$WORK/app.log"
  fi
  exit 1
}
elapsed() { echo "$(($(date +%s) - STARTED_AT)) s"; }

cleanup() {
  local code=$?
  for pid in "$APP_PID" "$FAKE_PID"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
  if [[ $code -eq 0 ]]; then say "build-check: PASS ($(elapsed))"; else say "build-check: FAIL ($(elapsed))"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "=== build-check: the Dockerfile's build and runtime, without Docker"
say "node $(node --version), npm $(npm --version), work dir $WORK"
mkdir -p "$BUILD" "$FINAL" "$WORK/home"

# ---------------------------------------------------------------------------------------------------------------
# 1. Read the Dockerfile: a plan of COPY / RUN / ENV / HEALTHCHECK / CMD per stage, and copy the build context.
# ---------------------------------------------------------------------------------------------------------------
cat >"$WORK/dockerfile.mjs" <<'EOF'
// node dockerfile.mjs <repo> <build dir> <final dir> <plan out>
// Copies the build stage's COPY sources from the build context (git's view of the working tree: tracked and
// untracked-but-not-ignored files, minus .dockerignore) into <build dir> and writes a plan for the shell.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [repo, buildDir, finalDir, planOut] = process.argv.slice(2);
const die = (message) => {
  process.stdout.write(`FAIL: ${message}\n`);
  process.exit(1);
};

// Logical lines: comments dropped, backslash continuations joined.
const lines = [];
let pending = '';
for (const raw of readFileSync(path.join(repo, 'Dockerfile'), 'utf8').split('\n')) {
  if (!pending && /^\s*#/.test(raw)) continue;
  const line = raw.replace(/\s+$/, '');
  if (line.endsWith('\\')) {
    pending += `${line.slice(0, -1)} `;
    continue;
  }
  const full = (pending + line).trim();
  pending = '';
  if (full) lines.push(full);
}

const stages = [];
for (const line of lines) {
  const [, instruction, rest] = line.match(/^(\w+)\s*(.*)$/) ?? [];
  const op = instruction.toUpperCase();
  if (op === 'FROM') {
    const [, image, name] = rest.match(/^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i) ?? [];
    stages.push({ image, name, workdir: '/', copies: [], runs: [], env: {}, healthcheck: undefined, cmd: undefined });
    continue;
  }
  const stage = stages.at(-1);
  if (!stage) die(`Dockerfile: ${op} before FROM`);
  if (op === 'WORKDIR') stage.workdir = path.posix.resolve(stage.workdir, rest);
  else if (op === 'COPY' || op === 'ADD') {
    if (op === 'ADD') die('Dockerfile: ADD is not reproduced by build-check.sh; use COPY');
    const words = rest.split(/\s+/);
    const flags = {};
    while (words[0]?.startsWith('--')) {
      const [key, value] = words.shift().slice(2).split('=');
      flags[key] = value;
    }
    if (Object.keys(flags).some((key) => key !== 'from')) die(`Dockerfile: COPY flags not reproduced: ${line}`);
    if (words.length < 2 || words.some((w) => /[*?[\]]/.test(w) || w.startsWith('['))) {
      die(`Dockerfile: only plain "COPY src... dest" is reproduced: ${line}`);
    }
    const dest = words.pop();
    stage.copies.push({ from: flags.from, sources: words, dest, workdir: stage.workdir });
  } else if (op === 'RUN') stage.runs.push(rest.replace(/^(--\S+\s+)+/, ''));
  else if (op === 'ENV') {
    for (const pair of rest.match(/\S+=("[^"]*"|\S+)/g) ?? []) {
      const at = pair.indexOf('=');
      stage.env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^"(.*)"$/, '$1');
    }
  } else if (op === 'HEALTHCHECK') {
    const cmd = rest.replace(/^(--\S+\s+)*/, '');
    if (!cmd.startsWith('CMD ')) die(`Dockerfile: HEALTHCHECK without CMD: ${line}`);
    stage.healthcheck = cmd.slice(4).trim();
  } else if (op === 'CMD') {
    try {
      stage.cmd = JSON.parse(rest);
    } catch {
      die('Dockerfile: CMD must be the exec (JSON array) form');
    }
  } else if (op === 'ENTRYPOINT') die('Dockerfile: ENTRYPOINT is not reproduced by build-check.sh');
}
if (stages.length !== 2) die(`Dockerfile: expected 2 stages (build, final), found ${stages.length}`);
const [build, final] = stages;
if (!build.name) die('Dockerfile: the build stage needs a name (FROM ... AS build)');
if (!final.cmd) die('Dockerfile: the final stage has no CMD');
if (!final.healthcheck) die('Dockerfile: the final stage has no HEALTHCHECK');

// The build context: what `docker build .` would send, limited to files git knows (tracked or untracked but
// not ignored), so local build output (node_modules, dist, data) never leaks in.
const globToRegExp = (glob) =>
  new RegExp(
    `^${glob
      .replace(/^\/+|\/+$/g, '')
      .split('')
      .map((c, i, all) => {
        if (c === '*' && all[i + 1] === '*') return '';
        if (c === '*' && all[i - 1] === '*') return '.*';
        if (c === '*') return '[^/]*';
        if (c === '?') return '[^/]';
        return /[\\^$.|+(){}[\]]/.test(c) ? `\\${c}` : c;
      })
      .join('')}(/.*)?$`,
  );
const ignoreRules = existsSync(path.join(repo, '.dockerignore'))
  ? readFileSync(path.join(repo, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => (l.startsWith('!') ? { keep: true, re: globToRegExp(l.slice(1)) } : { keep: false, re: globToRegExp(l) }))
  : [];
const ignored = (file) => {
  let result = false;
  for (const rule of ignoreRules) if (rule.re.test(file)) result = !rule.keep;
  return result;
};
let files;
try {
  files = execFileSync('git', ['-C', repo, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
    .split('\0')
    .filter(Boolean);
} catch {
  die('not a git checkout: the build context is taken from `git ls-files`');
}
files = [...new Set(files)].filter((f) => !ignored(f) && existsSync(path.join(repo, f)));

// COPY semantics: a directory source copies its contents into dest; a file source goes to dest, or into dest
// when dest ends with "/" or there are several sources.
const target = (root, workdir, dest) => path.join(root, path.posix.resolve(workdir, dest));
const rel = (root, p) => path.relative(root, p) || '.';
for (const copy of build.copies) {
  if (copy.from) die(`Dockerfile: COPY --from inside the build stage is not reproduced`);
  const destRoot = target(buildDir, copy.workdir, copy.dest);
  const intoDir = copy.dest.endsWith('/') || copy.sources.length > 1;
  for (const source of copy.sources) {
    const src = path.posix.normalize(source).replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const matched = files.filter((f) => f === src || f.startsWith(`${src}/`));
    if (matched.length === 0) die(`Dockerfile: COPY ${source}: not in the build context (missing or .dockerignore'd)`);
    for (const file of matched) {
      const to =
        file === src ? (intoDir ? path.join(destRoot, path.basename(src)) : destRoot) : path.join(destRoot, file.slice(src.length + 1));
      mkdirSync(path.dirname(to), { recursive: true });
      cpSync(path.join(repo, file), to);
    }
  }
}

const plan = [];
plan.push(['BUILD_IMAGE', build.image], ['FINAL_IMAGE', final.image]);
for (const run of build.runs) plan.push(['BUILD_RUN', run]);
for (const run of final.runs) plan.push(['FINAL_RUN', run]);
for (const copy of final.copies) {
  if (copy.from !== build.name) die(`Dockerfile: final-stage COPY must come --from=${build.name}: ${copy.sources.join(' ')}`);
  for (const source of copy.sources) {
    const abs = path.posix.resolve(build.workdir, source);
    if (abs !== build.workdir && !abs.startsWith(`${build.workdir}/`)) die(`Dockerfile: COPY --from outside ${build.workdir}: ${source}`);
    const from = path.join(buildDir, abs);
    const destRoot = target(finalDir, copy.workdir, copy.dest);
    const intoDir = copy.dest.endsWith('/') || copy.sources.length > 1;
    const isDir = existsSync(from) && statSync(from).isDirectory();
    const to = isDir || !intoDir ? destRoot : path.join(destRoot, path.basename(from));
    plan.push(['FINAL_COPY', rel(buildDir, from), rel(finalDir, to)]);
  }
}
if (build.workdir === '/' || final.workdir === '/') die('Dockerfile: both stages need a WORKDIR');
for (const [key, value] of Object.entries(final.env)) plan.push(['FINAL_ENV', `${key}=${value}`]);
plan.push(['FINAL_WORKDIR', rel(finalDir, path.join(finalDir, final.workdir))]);
plan.push(['BUILD_WORKDIR', rel(buildDir, path.join(buildDir, build.workdir))]);
plan.push(['HEALTHCHECK', final.healthcheck]);
plan.push(['CMD', JSON.stringify(final.cmd)]);
writeFileSync(planOut, `${plan.map((fields) => fields.join('\t')).join('\n')}\n`);
process.stdout.write(`context: ${files.length} files after .dockerignore; build stage copied ${build.copies.length} COPY lines\n`);
EOF

# The build stage's /app is $BUILD/app, the final stage's is $FINAL/app (WORKDIR /app in both).
node "$WORK/dockerfile.mjs" "$ROOT" "$BUILD" "$FINAL" "$WORK/plan.tsv" || fail "could not read the Dockerfile"
plan() { awk -F'\t' -v k="$1" '$1 == k { sub(/^[^\t]*\t/, ""); print }' "$WORK/plan.tsv"; }
BUILD_APP="$BUILD/$(plan BUILD_WORKDIR)"
FINAL_APP="$FINAL/$(plan FINAL_WORKDIR)"

# The steps this script performs must be the build stage's RUN lines, verbatim and in order.
EXPECTED_RUNS=$'npm ci --no-audit --no-fund\nnpm run build && npm prune --omit=dev'
if [[ "$(plan BUILD_RUN)" != "$EXPECTED_RUNS" ]]; then
  say "Dockerfile build-stage RUN lines:"; plan BUILD_RUN | sed 's/^/  /'
  say "build-check.sh performs:"; printf '%s\n' "$EXPECTED_RUNS" | sed 's/^/  /'
  fail "the Dockerfile's build steps changed; update .ci/build-check.sh to match"
fi
pass "Dockerfile build stage runs exactly: $(plan BUILD_RUN | paste -sd';' | sed 's/;/; then /')"

# The image starts the app the way `npm start` does.
CMD_JSON="$(plan CMD)"
START_JSON="$(node -e 'const s=require(process.argv[1]).scripts.start; process.stdout.write(JSON.stringify(s.trim().split(/\s+/)))' "$ROOT/package.json")"
[[ "$CMD_JSON" == "$START_JSON" ]] || fail "Dockerfile CMD $CMD_JSON differs from npm start's $START_JSON"
pass "CMD matches npm start: $(node -e 'process.stdout.write(JSON.parse(process.argv[1]).join(" "))' "$CMD_JSON")"

IMAGE_MAJOR="$(plan FINAL_IMAGE | sed -nE 's/^node:([0-9]+).*/\1/p')"
HOST_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [[ -n "$IMAGE_MAJOR" && "$IMAGE_MAJOR" != "$HOST_MAJOR" ]]; then
  say "WARN: the image runs Node $IMAGE_MAJOR ($(plan FINAL_IMAGE)); this machine has $(node --version)"
fi

# ---------------------------------------------------------------------------------------------------------------
# 2. The build stage: npm ci, build, prune (bounded; npm's cache is used as in any CI install).
# ---------------------------------------------------------------------------------------------------------------
say "--- build stage in $BUILD_APP: $(cd "$BUILD_APP" && find . -type f | wc -l) files copied from the context"
cd "$BUILD_APP"
timeout 600 npm ci --no-audit --no-fund >"$WORK/npm-ci.log" 2>&1 || { tail -n 30 "$WORK/npm-ci.log"; fail "npm ci"; }
pass "npm ci --no-audit --no-fund ($(grep -Eo 'added [0-9]+ packages' "$WORK/npm-ci.log" || echo done))"
timeout 300 npm run build >"$WORK/npm-build.log" 2>&1 || { tail -n 30 "$WORK/npm-build.log"; fail "npm run build"; }
pass "npm run build"
timeout 300 npm prune --omit=dev >"$WORK/npm-prune.log" 2>&1 || { tail -n 30 "$WORK/npm-prune.log"; fail "npm prune --omit=dev"; }
pass "npm prune --omit=dev ($(grep -Eo 'removed [0-9]+ packages' "$WORK/npm-prune.log" || echo done))"
cd "$WORK"

# ---------------------------------------------------------------------------------------------------------------
# 3. The final stage: only what its COPY lines take, in a directory that sees no other node_modules.
# ---------------------------------------------------------------------------------------------------------------
while IFS=$'\t' read -r from to; do
  [[ -e "$BUILD/$from" ]] || fail "final stage COPY: /$from does not exist after the build stage"
  mkdir -p "$(dirname "$FINAL/$to")"
  cp -a "$BUILD/$from" "$FINAL/$to"
done < <(plan FINAL_COPY)
pass "final stage assembled: $(plan FINAL_COPY | cut -f2 | sed "s#^$(plan FINAL_WORKDIR)/##" | paste -sd' ')"
if [[ -n "$(plan FINAL_RUN)" ]]; then say "(not reproduced, root filesystem only: RUN $(plan FINAL_RUN | paste -sd';'))"; fi

# Nothing outside the final directory may supply a module: no node_modules in any ancestor, no NODE_PATH.
dir="$FINAL_APP"
while [[ "$dir" != "/" ]]; do
  dir="$(dirname "$dir")"
  [[ ! -e "$dir/node_modules" ]] || fail "$dir/node_modules exists: it would be visible to the app; set TMPDIR elsewhere"
done

# npm prune left no package the lockfile marks dev-only.
node --input-type=module -e '
  import { readFileSync, existsSync } from "node:fs";
  const [lockPath, app] = process.argv.slice(1);
  const lock = JSON.parse(readFileSync(lockPath, "utf8"));
  const devOnly = Object.entries(lock.packages).filter(([p, v]) => p && v.dev);
  const left = devOnly.filter(([p]) => existsSync(`${app}/${p}/package.json`)).map(([p]) => p);
  const prod = Object.entries(lock.packages).filter(([p, v]) => p && !v.dev && existsSync(`${app}/${p}/package.json`));
  if (left.length) { console.log(`FAIL: dev-only packages in the final node_modules: ${left.slice(0, 10).join(", ")}`); process.exit(1); }
  console.log(`PASS: final node_modules: ${prod.length} production packages, none of the ${devOnly.length} dev-only ones (typescript, tsx, vitest, drizzle-kit, ...)`);
' "$ROOT/package-lock.json" "$FINAL_APP" || fail "the final node_modules hold dev-only packages"
[[ -f "$FINAL_APP/src/db/migrations/meta/_journal.json" ]] || fail "migrations missing from the final stage"
[[ ! -e "$FINAL_APP/src/main.ts" && ! -e "$FINAL_APP/tsconfig.json" ]] || fail "sources leaked into the final stage"

# ---------------------------------------------------------------------------------------------------------------
# 4. A fake Telegram Bot API on loopback: getMe, deleteWebhook, getUpdates (empty after a short wait), setters.
# ---------------------------------------------------------------------------------------------------------------
BOT_TOKEN_VALUE="123456789:BuildCheckFakeToken_abcdefghijklmnop"
node -e '
  const http = require("node:http");
  const fs = require("node:fs");
  const [token, portFile, callsFile] = process.argv.slice(1);
  const me = { id: 123456789, is_bot: true, first_name: "Build Check", username: "build_check_bot",
    can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
  const results = { getMe: me, deleteWebhook: true, setWebhook: true, setMyCommands: true, deleteMyCommands: true };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const m = req.url.match(/^\/bot([^/]+)\/(\w+)/);
      const method = m ? m[2] : "?";
      fs.appendFileSync(callsFile, method + "\n");
      const send = (status, body) => {
        if (res.destroyed) return;
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (!m || m[1] !== token) return send(401, { ok: false, error_code: 401, description: "Unauthorized" });
      if (method === "getUpdates") return setTimeout(() => send(200, { ok: true, result: [] }), 500);
      if (method in results) return send(200, { ok: true, result: results[method] });
      send(404, { ok: false, error_code: 404, description: "Not Found: " + method + " is not faked" });
    });
  });
  server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
  setTimeout(() => process.exit(0), 300_000); // never outlives the check
' "$BOT_TOKEN_VALUE" "$WORK/fake.port" "$WORK/fake.calls" >"$WORK/fake.log" 2>&1 &
FAKE_PID=$!
for _ in $(seq 1 50); do [[ -s "$WORK/fake.port" ]] && break; sleep 0.1; done
[[ -s "$WORK/fake.port" ]] || fail "the fake Telegram did not start: $(cat "$WORK/fake.log")"
FAKE_PORT="$(cat "$WORK/fake.port")"
pass "fake Telegram Bot API on 127.0.0.1:$FAKE_PORT"

# ---------------------------------------------------------------------------------------------------------------
# 5. Start the final stage as the image would: its ENV, its CMD, nothing else from this machine's environment.
# ---------------------------------------------------------------------------------------------------------------
APP_PORT="$(node -e 'const s=require("node:net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
mapfile -t IMAGE_ENV < <(plan FINAL_ENV)
mapfile -t CMD_ARGV < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' "$CMD_JSON")
[[ "${CMD_ARGV[0]}" == "node" ]] || fail "CMD does not start with node"
CMD_ARGV[0]="$(command -v node)"
RUN_ENV=(
  "PATH=$(dirname "$(command -v node)"):/usr/bin:/bin"
  "HOME=$WORK/home"
  "${IMAGE_ENV[@]}"
  # Overrides for this machine: loopback, a free port, PGlite in the temp dir, fakes for both services.
  "HOST=127.0.0.1"
  "PORT=$APP_PORT"
  "DATA_DIR=$WORK/data"
  "BOT_TOKEN=$BOT_TOKEN_VALUE"
  "TELEGRAM_API_ROOT=http://127.0.0.1:$FAKE_PORT"
  "SMARTYPAY_API_KEY=build-check-api-key"
  "SMARTYPAY_SECRET_KEY=build-check-secret-key-0123456789"
  "SMARTYPAY_API_HOST=http://127.0.0.1:$FAKE_PORT/smartypay"
  "LOG_LEVEL=info"
)
say "--- starting in final/app: $(node -e 'process.stdout.write(JSON.parse(process.argv[1]).join(" "))' "$CMD_JSON")"
say "    image ENV ${IMAGE_ENV[*]}, then HOST=127.0.0.1 PORT=$APP_PORT DATA_DIR=<temp> and fakes; nothing else inherited"
(cd "$FINAL_APP" && exec env -i "${RUN_ENV[@]}" "${CMD_ARGV[@]}") >"$WORK/app.log" 2>&1 &
APP_PID=$!

status_of() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => console.log(r.status), () => {})' "$1" 2>/dev/null || true
}
deadline=$(($(date +%s) + 60))
code=""
while (($(date +%s) < deadline)); do
  kill -0 "$APP_PID" 2>/dev/null || fail "the app exited during start-up"
  code="$(status_of "http://127.0.0.1:$APP_PORT/healthz")"
  [[ "$code" == "200" ]] && break
  sleep 0.25
done
[[ "$code" == "200" ]] || fail "GET /healthz did not answer 200 within 60 s (last: ${code:-no answer})"
pass "GET /healthz 200 after $(($(date +%s) - deadline + 60)) s"
code="$(status_of "http://127.0.0.1:$APP_PORT/readyz")"
[[ "$code" == "200" ]] || fail "GET /readyz answered ${code:-nothing}, not 200"
pass "GET /readyz 200 (database answers)"
code="$(status_of "http://127.0.0.1:$APP_PORT/app/")"
[[ "$code" == "200" ]] || fail "GET /app/ answered ${code:-nothing}, not 200: the dashboard page is not in dist/miniapp-page"
pass "GET /app/ 200 (the dashboard page npm run build bundled)"
(cd "$FINAL_APP" && env -i "${RUN_ENV[@]}" timeout 10 /bin/sh -c "$(plan HEALTHCHECK)") || fail "the Dockerfile's HEALTHCHECK command failed"
pass "the Dockerfile's HEALTHCHECK command exits 0"
grep -q '"driver":"pglite".*"msg":"database ready, migrations applied"' "$WORK/app.log" || fail "no 'database ready, migrations applied' (pglite) log line"
pass "migrations applied from src/db/migrations on embedded PGlite"
for _ in $(seq 1 40); do grep -qx getUpdates "$WORK/fake.calls" 2>/dev/null && break; sleep 0.25; done
grep -qx getMe "$WORK/fake.calls" && grep -qx deleteWebhook "$WORK/fake.calls" && grep -qx getUpdates "$WORK/fake.calls" ||
  fail "the bot did not call getMe, deleteWebhook and getUpdates (saw: $(sort -u "$WORK/fake.calls" 2>/dev/null | paste -sd' '))"
pass "bot is polling: fake Telegram saw $(sort "$WORK/fake.calls" | uniq -c | awk '{print $2"×"$1}' | paste -sd' ')"

# ---------------------------------------------------------------------------------------------------------------
# 6. SIGTERM: exit code 0 within 15 s, cleanly.
# ---------------------------------------------------------------------------------------------------------------
kill -TERM "$APP_PID"
stop_started=$(date +%s)
while kill -0 "$APP_PID" 2>/dev/null && (($(date +%s) - stop_started < 15)); do sleep 0.1; done
if kill -0 "$APP_PID" 2>/dev/null; then fail "still running 15 s after SIGTERM"; fi
set +e
wait "$APP_PID"
exit_code=$?
set -e
APP_PID=""
[[ $exit_code -eq 0 ]] || fail "exit code $exit_code after SIGTERM (expected 0)"
grep -q '"msg":"stopped"' "$WORK/app.log" || fail "no 'stopped' log line after SIGTERM"
pass "SIGTERM: exit 0 after $(($(date +%s) - stop_started)) s, 'stopped' logged"
if grep -qF "$BOT_TOKEN_VALUE" "$WORK/app.log" || grep -q "build-check-secret-key" "$WORK/app.log"; then
  fail "a secret appears in the app's output"
fi
grep -q '"level":50\|"level":60' "$WORK/app.log" && fail "the app logged an error or fatal line"
pass "no errors and no secrets in the app's log ($(wc -l <"$WORK/app.log") lines)"
