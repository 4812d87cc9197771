package io.isofold.supervisor.slurm;

import io.isofold.supervisor.journal.RunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The batch script of an attempt: the local launcher's exit-status wrapper, plus what only the job
 * knows (its node and the GPU Slurm gave it), plus Slurm's warning before a time limit.
 *
 * <p>The worker's argv reaches the script as sbatch's script arguments and runs as "$@": no shell
 * parses it, here or in sbatch, so {@code $(...)}, {@code ;}, quotes and {@code *} arrive literally.
 *
 * <p>Signals, as Slurm 22.05 sends them to a batch job without job steps (read in its source, and
 * measured on the test cluster):
 * <ul>
 * <li>isofold's own TERM ({@code scancel --full --signal=TERM}) goes to the script's process group:
 *     the script and the worker, which runs in it.
 * <li>A time limit, a plain {@code scancel}, and a preemption (at its start when the partition has no
 *     GraceTime, else when the GraceTime is over) send SIGCONT and SIGTERM to every process of the job,
 *     then SIGKILL after the cluster's KillWait. The first SIGTERM of a preemption with GraceTime goes to
 *     job steps only, and an attempt has none: nothing reaches it until the GraceTime is over.
 * <li>{@code --signal=B:USR1@N} sends USR1 to this script alone, N seconds (up to a minute more) before
 *     the time limit; Slurm sends it at preemption too where the cluster sets preempt_send_user_signal.
 * </ul>
 * So the script passes on only USR1, as a TERM to its process group: a TERM it got the worker got too,
 * and a second one could cut a worker's save short. It lives through the TERM, waits for the worker
 * whatever it does meanwhile (isofold's KILL after the kill grace, or Slurm's, bounds the wait), and
 * records the worker's own status. The worker runs in the background so that the script can act on a
 * signal while it runs; a background command starts with SIGINT and SIGQUIT ignored, which the script
 * undoes (bash can, dash cannot: hence bash).
 */
final class JobScript {
    static final String FILE = "slurm-job.sh";
    /** The name of the node the job ran on, one line, written when the job starts. */
    static final String NODE_FILE = "node";
    /**
     * Written (the time, in seconds since 1970) when Slurm's warning before the time limit came and the
     * worker was sent TERM: a job that then ended by itself ended because of its time limit.
     */
    static final String TIME_LIMIT_WARNING = "time-limit-warning";
    /** Set by {@link SlurmClient} for the script only: 1 when the job asked for a GPU. */
    static final String GPU_REQUESTED = "ISOFOLD_SLURM_GPU";

    // With --gres=gpu:1 Slurm chooses the GPU and says which in CUDA_VISIBLE_DEVICES; the contract's
    // ISOFOLD_GPU must name that one, not anything the submitting side guessed. A job without a GPU
    // must not inherit the submitting shell's CUDA_VISIBLE_DEVICES (--export=ALL copies it), so it is
    // emptied. The traps come first so that a signal in the job's first milliseconds does not end the
    // script before it can report. The worker's status is recorded by the sh that runs it in the
    // foreground: bash 5.2's wait loses the status of a child that ends while a trap runs (it returns
    // -1), and wait -n is missing from the bash 4.2 of older clusters. That sh is started with SIGINT
    // and SIGQUIT at their defaults (bash resets them in the subshell before exec), so it can catch
    // them, and signals it catches are the worker's defaults again once the worker execs. Unlike bash,
    // sh (dash) writes no "Terminated" into the worker's stderr when the worker dies of a signal.
    private static final String TEXT = String.format(Locale.ROOT, """
            #!/bin/bash
            # An isofold attempt, written by the supervisor (io.isofold.supervisor.slurm.JobScript).
            trap : TERM INT
            trap 'date +%%s > "$ISOFOLD_ATTEMPT_DIR/%s"; kill -TERM 0' USR1
            printf '%%s\\n' "${SLURMD_NODENAME:-$(hostname)}" > "$ISOFOLD_ATTEMPT_DIR/%s"
            if [ "$%s" = 1 ]; then
              ISOFOLD_GPU=$CUDA_VISIBLE_DEVICES
            else
              CUDA_VISIBLE_DEVICES=
              ISOFOLD_GPU=cpu
            fi
            export CUDA_VISIBLE_DEVICES ISOFOLD_GPU
            unset %s
            (trap - INT QUIT; exec /bin/sh -c 'trap : TERM INT QUIT USR1; "$@"; s=$?
            printf "%%s\\n" "$s" > "$ISOFOLD_ATTEMPT_DIR/%s"; exit "$s"' isofold-attempt "$@") &
            w=$!
            while :; do
              wait "$w" 2>/dev/null
              kill -0 "$w" 2>/dev/null || break
            done
            read -r s < "$ISOFOLD_ATTEMPT_DIR/%s" 2>/dev/null || s=1
            exit "$s"
            """, TIME_LIMIT_WARNING, NODE_FILE, GPU_REQUESTED, GPU_REQUESTED,
            RunFiles.AttemptFiles.EXIT_STATUS, RunFiles.AttemptFiles.EXIT_STATUS);

    private JobScript() {}

    /** Writes the script into the attempt directory (where it also documents what ran); returns its path. */
    static Path write(Path attemptDir) throws IOException {
        Path script = attemptDir.resolve(FILE);
        Files.writeString(script, TEXT);
        return script;
    }

    /** The script's text, for tests that run it outside Slurm. */
    static String text() {
        return TEXT;
    }
}
