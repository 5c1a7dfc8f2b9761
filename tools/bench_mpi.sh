#!/bin/sh
# bench_mpi.sh: experiments over MPI ranks (`make bench`, after aimci_bench_epoch; never part
# of `make test`). The reduced Table 8 of the seed paper, examples/paper/table8.aimc with
# fit.epochs=1, fm.limit=2000, sweep.repeat=1 (18 cells x 2 optimizers = 36 jobs of one epoch
# of 2000 images and the 10000 test images), run from scratch (--fresh) by
#   mpirun -n 1 aimci-mpi --threads 1   and   mpirun -n 2 aimci-mpi --threads 1
# alternately, ROUNDS times (default 2), the fastest of each kept; printed as aimci_bench's CSV:
#   mpi          seconds of the whole run (mpirun's start, every rank's checking, the report)
#   mpi_scaling  the 1-rank seconds over the 2-rank ones; target >= 1.8 on 2 cores (ratio =
#                scaling / 1.8). The two reports must be byte-identical, or the bench fails.
# Usage: tools/bench_mpi.sh AIMCI_MPI [ROUNDS]
set -u
[ $# -ge 1 ] || { echo "usage: tools/bench_mpi.sh AIMCI_MPI [ROUNDS]" >&2; exit 2; }
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
rounds=${2:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root_flag=
[ "$(id -u)" = 0 ] && root_flag=--allow-run-as-root
what="table8 (36 jobs: 1 epoch of 2000 images)"

# run N: the seconds of one run on N ranks (its report kept as report.N).
run() {
    dir=$work/n$1
    rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
    t0=$(date +%s.%N)
    mpirun $root_flag --oversubscribe --bind-to none -n "$1" "$bin" --threads 1 --fresh \
        "$root/examples/paper/table8.aimc" --set fit.epochs=1 --set fm.limit=2000 \
        --set sweep.repeat=1 >out.txt 2>err.txt || { cat err.txt >&2; exit 1; }
    t1=$(date +%s.%N)
    cp out/table8.md "$work/report.$1"
    echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }'
}

best1=0
best2=0
for r in $(seq "$rounds"); do
    s1=$(run 1) || exit 1
    s2=$(run 2) || exit 1
    best1=$(echo "$best1 $s1" | awk '{ print ($1 == 0 || $2 < $1) ? $2 : $1 }')
    best2=$(echo "$best2 $s2" | awk '{ print ($1 == 0 || $2 < $1) ? $2 : $1 }')
done
cmp -s "$work/report.1" "$work/report.2" || { echo "bench_mpi.sh: the reports of 1 and 2 ranks differ" >&2; exit 1; }
echo "mpi,$what,784-256-128-10,10,1,$best1,s (mpirun -n 1),,"
echo "mpi,$what,784-256-128-10,10,1,$best2,s (mpirun -n 2),,"
echo "$best1 $best2" | awk -v w="$what" '{ s = $1 / $2
    printf "mpi_scaling,%s,784-256-128-10,10,1,%.3f,x 1 rank (2 ranks),target >= 1.80,%.2f\n", w, s, s / 1.8 }'
