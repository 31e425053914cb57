# bench-lib.sh - what the benchmark scripts share; sourced (`. scripts/bench-lib.sh`) from
# the repository's root: the kbridge to time (KB), its data folder, the repetitions (RUNS,
# default 7), the kernel home, a clock in seconds and the median of numbers on stdin.
KB=${KB:-./kbridge}
export KBRIDGE_DATADIR="${KBRIDGE_DATADIR:-$(pwd)}"
RUNS=${RUNS:-7}
HOME_DIR=${KBRIDGE_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/kbridge}
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
