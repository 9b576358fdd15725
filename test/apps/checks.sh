# Sourced by the end-to-end shell tests (test/apps/*.sh): a scratch folder
# $tmp, removed on exit with every process in $pids killed; $TO, a timeout
# wrapper when timeout(1) exists; and the check counters:
#   ok NAME, bad NAME             count a check (bad shows $tmp/err)
#   field KEY FILE                KEY of the '"summary":true' JSON line
#   check_fail NAME REGEX CMD...  CMD must fail with exit status 1-3 and
#                                 say REGEX (case-insensitive) on stderr
#   start_server ERRFILE ARGS...  "$APP --serve PORT ARGS" in the
#                                 background (see below)
#   stop_server                   its end and exit status
#   checks_done                   prints "checks: N passed, N failed"; its
#                                 status is the script's verdict
tmp=$(mktemp -d)
pids=
trap 'for p in $pids; do kill $p 2>/dev/null; done; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
pass=0; failn=0
spid=
if command -v timeout > /dev/null; then TO="timeout 900"; else TO=; fi
ok()  { pass=$((pass + 1)); echo "PASS: $1"; }
bad() { failn=$((failn + 1)); echo "FAIL: $1"; [ -f "$tmp/err" ] && sed 's/^/    /' "$tmp/err"; }
field() { grep '"summary":true' "$2" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
check_fail() { # NAME REGEX CMD...
    name=$1; re=$2; shift 2
    $TO "$@" > "$tmp/out" 2> "$tmp/err"; st=$?
    if [ $st -ge 1 ] && [ $st -le 3 ] && grep -qiE "$re" "$tmp/err"; then
        ok "$name"
    else
        echo "    exit status $st"; bad "$name"
    fi
}
checks_done() {
    echo "checks: $pass passed, $failn failed"
    [ $failn -eq 0 ]
}

# A free port: ask the kernel for one (bind port 0), else a random guess;
# start_server retries with another port if it was taken meanwhile.
free_port() {
    if command -v python3 > /dev/null; then
        python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $(( 20000 + ($$ + $(date +%S)) * 37 % 40000 ))
    fi
}
# start_server ERRFILE ARGS...: start "$APP --serve PORT ARGS" in the
# background, wait (bounded: 300 s) until it listens; sets $port and $spid.
# Returns 1 if it never listened (it is then killed).
start_server() {
    errf=$1; shift
    for try in 1 2 3 4 5; do
        port=$(free_port)
        $APP --serve $port "$@" > /dev/null 2> "$errf" &
        spid=$!; pids="$pids $spid"
        i=0
        while [ $i -lt 300 ] && kill -0 $spid 2>/dev/null &&
              ! grep -q listening "$errf" 2>/dev/null; do
            sleep 1; i=$((i + 1))
        done
        grep -q listening "$errf" 2>/dev/null && return 0
        kill $spid 2>/dev/null; wait $spid 2>/dev/null; sst=$?
        if ! grep -q "cannot listen" "$errf" 2>/dev/null; then
            server_said "never listened (exit status $sst)"
            return 1
        fi
    done
    return 1
}
# server_said WHAT: the server's stderr, for a failure's log
server_said() {
    echo "    server $1:"
    [ -f "$errf" ] && tail -20 "$errf" | sed 's/^/      /'
}
# stop_server: end $spid (bounded) and give its exit status
stop_server() {
    i=0
    while [ $i -lt 60 ] && kill -0 $spid 2>/dev/null; do
        sleep 1; i=$((i + 1))
    done
    kill $spid 2>/dev/null
    wait $spid; sst=$?; spid=
    [ $sst = 0 ] || server_said "exit status $sst"
    return $sst
}
