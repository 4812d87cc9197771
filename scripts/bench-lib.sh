# What the benchmarks share; sourced (`. "$home/scripts/bench-lib.sh"`), not run.

# awk and printf read and print numbers with a decimal point whatever the user's locale (a German
# LC_NUMERIC makes them print "1,5" and refuse "1.5")
[ -z "${LC_ALL:-}" ] || { export LANG="$LC_ALL"; unset LC_ALL; }
export LC_NUMERIC=C

# the median of numbers, one per line on stdin (the mean of the middle two for an even count)
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# the median of a space-separated list, as the benchmarks collect their rounds' figures
median_of() { tr ' ' '\n' <<<"$1" | grep . | median; }

# the machine's load averages, printed beside every figure
load() { uptime | sed 's/.*load average: //'; }

# nanoseconds since the epoch of a journal time (ISO 8601)
ns() { date -d "$1" +%s%N; }
