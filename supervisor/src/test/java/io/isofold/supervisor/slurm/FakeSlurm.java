package io.isofold.supervisor.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * sbatch, squeue, scancel and scontrol as small shell scripts over a folder of job files: a cluster
 * whose failures a test chooses, and that runs nothing. A job is one file, {@code jobs/<id>}, holding
 * {@code STATE|raw wait status|name}; the test moves it on with {@link #setState}. Every call is
 * logged, one line of arguments per call, in {@code calls-<command>}.
 *
 * <p>How the commands answer, as Slurm 22.05 does: sbatch prints the next id (from 1001); squeue prints
 * the asked-for jobs in {@link SqueueFormat#COLUMNS}, and fails with "Invalid job id specified" when it
 * knows none of them; scancel of a job it does not know, or that has ended, fails with the same words;
 * scancel's TERM ends a running job as a worker that heeds it does (FAILED, status 143) unless
 * {@link #ignoreTerm}; KILL cancels it.
 */
final class FakeSlurm {
    private static final String PRELUDE = """
            #!/bin/sh
            S="$FAKE_SLURM"
            cmd=$(basename "$0")
            echo "$*" >> "$S/calls-$cmd"
            # fail-<command>: line 1 how many more calls fail (or "always"), line 2 what they say,
            # line 3 "take" for an sbatch that submits the job and then fails all the same, line 4 a
            # string the arguments must hold for the call to fail (any call when empty)
            f="$S/fail-$cmd"
            if [ -s "$f" ]; then
              n=$(sed -n 1p "$f"); msg=$(sed -n 2p "$f"); how=$(sed -n 3p "$f"); match=$(sed -n 4p "$f")
              case "$*" in *"$match"*) ;; *) n=0 ;; esac
              if [ "$n" = always ] || [ "$n" -gt 0 ]; then
                if [ "$n" != always ]; then printf '%s\\n%s\\n%s\\n%s\\n' $((n - 1)) "$msg" "$how" "$match" > "$f"; fi
                if [ "$how" != take ]; then echo "$msg" >&2; exit 1; fi
                failafter="$msg"
              fi
            fi
            arg() { for a in $ARGS; do case "$a" in "$1"*) echo "${a#"$1"}"; return ;; esac; done; }
            ARGS="$*"
            """;

    private static final String SBATCH = PRELUDE + """
            while ! mkdir "$S/lock" 2>/dev/null; do sleep 0.01; done
            id=$(cat "$S/next-id" 2>/dev/null || echo 1001)
            echo $((id + 1)) > "$S/next-id"
            rmdir "$S/lock"
            state=RUNNING
            case " $* " in *" --hold "*) state=PENDING ;; esac
            echo "$state|0|$(arg --job-name=)" > "$S/jobs/$id"
            if [ -n "${failafter:-}" ]; then echo "$failafter" >&2; exit 1; fi
            echo "$id"
            """;

    private static final String SQUEUE = PRELUDE + """
            [ -e "$S/blank-squeue" ] && exit 0
            ids=$(arg --jobs= | tr ',' ' ')
            name=$(arg --name=)
            [ -n "$ids" ] || ids=$(ls "$S/jobs")
            known=0
            for id in $ids; do
              [ -f "$S/jobs/$id" ] || continue
              known=1
              [ -e "$S/hidden-$id" ] && continue
              IFS='|' read -r state raw jobname < "$S/jobs/$id"
              [ -z "$name" ] || [ "$name" = "$jobname" ] || continue
              if [ "$state" = PENDING ]; then
                echo "$id|$state|0|||JobHeldUser|N/A|$jobname|"
              else
                echo "$id|$state|$raw|node1|node1|None|2026-01-02T03:04:05|$jobname|"
              fi
            done
            if [ "$known" = 0 ] && [ -n "$(arg --jobs=)" ]; then
              echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1
            fi
            exit 0
            """;

    private static final String SCANCEL = PRELUDE + """
            for id in $*; do :; done
            if [ ! -f "$S/jobs/$id" ]; then
              echo "scancel: error: Kill job error on job id $id: Invalid job id specified" >&2; exit 1
            fi
            IFS='|' read -r state raw jobname < "$S/jobs/$id"
            case "$state" in PENDING|RUNNING) ;; *)
              echo "scancel: error: Kill job error on job id $id: Invalid job id specified" >&2; exit 1 ;;
            esac
            filter=$(arg --state=)
            [ -z "$filter" ] || [ "$filter" = "$state" ] || exit 0
            case "$(arg --signal=)" in
              TERM)
                [ -e "$S/ignore-term" ] && exit 0
                echo "FAILED|36608|$jobname" > "$S/jobs/$id" ;;
              *) echo "CANCELLED|9|$jobname" > "$S/jobs/$id" ;;
            esac
            exit 0
            """;

    private static final String SCONTROL = PRELUDE + """
            for id in $*; do :; done
            if [ ! -f "$S/jobs/$id" ]; then
              echo "slurm_load_jobs error: Invalid job id specified" >&2; exit 1
            fi
            IFS='|' read -r state raw jobname < "$S/jobs/$id"
            preempt=""
            [ -e "$S/preempted-$id" ] && preempt=" PreemptTime=2026-01-02T04:00:00"
            echo "JobId=$id JobName=$jobname UserId=me(1) JobState=$state Reason=None ExitCode=$((raw / 256)):$((raw % 128)) StartTime=2026-01-02T03:04:05$preempt BatchHost=node1 Command=/x JobState=COMPLETED"
            """;

    private final Path bin;
    private final Path state;

    FakeSlurm(Path dir) throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        state = Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(state.resolve("jobs"));
        for (Map.Entry<String, String> e : Map.of("sbatch", SBATCH, "squeue", SQUEUE, "scancel", SCANCEL,
                "scontrol", SCONTROL).entrySet()) {
            Path script = bin.resolve(e.getKey());
            Files.writeString(script, e.getValue());
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    SlurmClient client() {
        return new SlurmClient(Map.of("FAKE_SLURM", state.toString()), Duration.ofSeconds(20), bin);
    }

    /** The next {@code times} calls of {@code command} fail with {@code message}; a negative count: every call. */
    void fail(String command, int times, String message) throws IOException {
        fail(command, times, message, "");
    }

    /** As {@link #fail(String, int, String)}, counting only the calls whose arguments hold {@code match}. */
    void fail(String command, int times, String message, String match) throws IOException {
        Files.writeString(state.resolve("fail-" + command), (times < 0 ? "always" : times) + "\n" + message + "\n\n"
                + match + "\n");
    }

    /** The next {@code times} sbatch calls submit their job and then fail with {@code message}, as after a lost answer. */
    void takeAndFail(int times, String message) throws IOException {
        Files.writeString(state.resolve("fail-sbatch"), times + "\n" + message + "\ntake\n");
    }

    void succeed(String command) throws IOException {
        Files.deleteIfExists(state.resolve("fail-" + command));
    }

    /** squeue answers with nothing at all (and exits 0), as a controller that lost its state does. */
    void blankSqueue(boolean blank) throws IOException {
        toggle(state.resolve("blank-squeue"), blank);
    }

    /** squeue leaves this job out of its answers; scontrol still shows it. */
    void hide(long id, boolean hidden) throws IOException {
        toggle(state.resolve("hidden-" + id), hidden);
    }

    /** Slurm chose the job for preemption: scontrol shows its PreemptTime. */
    void preempt(long id) throws IOException {
        toggle(state.resolve("preempted-" + id), true);
    }

    /** scancel's TERM leaves a running job running, as a worker that ignores TERM would. */
    void ignoreTerm(boolean ignore) throws IOException {
        toggle(state.resolve("ignore-term"), ignore);
    }

    void setState(long id, String slurmState, int rawWaitStatus) throws IOException {
        String name = Files.readString(state.resolve("jobs").resolve(Long.toString(id))).strip().split("\\|", 3)[2];
        Files.writeString(state.resolve("jobs").resolve(Long.toString(id)), slurmState + "|" + rawWaitStatus + "|"
                + name + "\n");
    }

    /** A job the test made up, as if an earlier supervisor had submitted it. */
    void addJob(long id, String slurmState, String name) throws IOException {
        Files.writeString(state.resolve("jobs").resolve(Long.toString(id)), slurmState + "|0|" + name + "\n");
    }

    /** Slurm forgets the job: squeue, scontrol and scancel no longer know it. */
    void forget(long id) throws IOException {
        Files.deleteIfExists(state.resolve("jobs").resolve(Long.toString(id)));
    }

    String state(long id) throws IOException {
        return Files.readString(state.resolve("jobs").resolve(Long.toString(id))).strip().split("\\|")[0];
    }

    List<Long> jobIds() throws IOException {
        try (var files = Files.list(state.resolve("jobs"))) {
            return files.map(f -> Long.parseLong(f.getFileName().toString())).sorted().toList();
        }
    }

    /** The arguments of every call of {@code command} so far, one string per call. */
    List<String> calls(String command) throws IOException {
        Path log = state.resolve("calls-" + command);
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private static void toggle(Path flag, boolean on) throws IOException {
        if (on) {
            Files.writeString(flag, "");
        } else {
            Files.deleteIfExists(flag);
        }
    }
}
