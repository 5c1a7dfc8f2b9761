# Every example, run at a small size, prints and writes exactly what it printed and wrote
# when tests/golden/examples.txt was recorded: the console, every CSV and report byte for
# byte (as SHA-256), and the resolved scripts up to their comments. A change of numerics or
# of output formats fails here until the golden file is re-recorded on purpose:
#   AIMCI=./aimci ROOT=. sh tests/scripts/examples_golden.sh --record
. "$ROOT/tests/scripts/common.inc"
ex="$ROOT/examples"
{
    run() {
        echo "\$ aimci $*" | sed "s|$ROOT/||g"
        "$AIMCI" "$@" >run.txt 2>&1
        status=$?
        sed "s|$ROOT/||g" run.txt
        echo "exit $status"
    }
    run "$ex/quickstart.aimc" --set fit.steps=2000
    mkdir -p examples && cp "$ex/regression.csv" examples/ # its data path: from the root
    run "$ex/regression.aimc"
    run "$ex/response.aimc"
    run "$ex/devices.aimc"
    run "$ex/paper/fig2_least_squares.aimc" --set fit.steps=100 --set fig2.repeat=2
    run "$ex/paper/fcn_fashion.aimc" --set fit.epochs=1 --set fm.limit=200 --set fm.test_limit=100
    run "$ex/paper/lenet_fashion.aimc" --set fit.epochs=1 --set fm.limit=24 --set fm.test_limit=30
    run "$ex/paper/cost_fcn.aimc" --set fm.limit=200 --set fm.test_limit=100
    run "$ex/paper/table8.aimc" --set fit.epochs=1 --set fm.limit=20 --set fm.test_limit=20 \
        --set sweep.repeat=1
    # The experiments' saved job results (their format is eval_jobs.c's): counted, not hashed.
    for d in $(find out -type d -name '*.jobs' | LC_ALL=C sort); do
        echo "== $d: $(find "$d" -type f -name '*.job' | wc -l) job results"
    done
    for f in $(find out -type f ! -path '*.jobs/*' | LC_ALL=C sort); do
        case "$f" in
        *.resolved.aimc) echo "== $f (without comments)"; sed 's/[[:space:]]*#.*$//' "$f" ;;
        *) sha256sum "$f" ;;
        esac
    done
} >got.txt
if [ "${1:-}" = "--record" ]; then
    cp got.txt "$ROOT/tests/golden/examples.txt"
    exit 0
fi
diff "$ROOT/tests/golden/examples.txt" got.txt >diff.txt ||
    fail "example outputs differ from tests/golden/examples.txt:
$(head -60 diff.txt)"
exit 0
