package io.isofold.supervisor.slurm;

import io.isofold.supervisor.journal.RunFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The batch script of an attempt: the local launcher's exit-status wrapper, plus what only the job
 * knows (its node and the GPU Slurm gave it).
 *
 * <p>The worker's argv reaches the script as sbatch's script arguments and runs as "$@": no shell
 * parses it, here or in sbatch, so {@code $(...)}, {@code ;}, quotes and {@code *} arrive literally.
 */
final class JobScript {
    static final String FILE = "slurm-job.sh";
    /** The name of the node the job ran on, one line, written when the job starts. */
    static final String NODE_FILE = "node";
    /** Set by {@link SlurmClient} for the script only: 1 when the job asked for a GPU. */
    static final String GPU_REQUESTED = "ISOFOLD_SLURM_GPU";

    // With --gres=gpu:1 Slurm chooses the GPU and says which in CUDA_VISIBLE_DEVICES; the contract's
    // ISOFOLD_GPU must name that one, not anything the submitting side guessed. A job without a GPU
    // must not inherit the submitting shell's CUDA_VISIBLE_DEVICES (--export=ALL copies it), so it is
    // emptied. The trap and the status line are LocalLauncher's: TERM from scancel reaches the whole
    // job, the wrapper lives through it and reports the worker's own status. The trap comes first so
    // that a TERM in the job's first milliseconds does not end the wrapper before it can report.
    private static final String TEXT = String.format(Locale.ROOT, """
            #!/bin/sh
            # An isofold attempt, written by the supervisor (io.isofold.supervisor.slurm.JobScript).
            trap : TERM INT
            printf '%%s\\n' "${SLURMD_NODENAME:-$(hostname)}" > "$ISOFOLD_ATTEMPT_DIR/%s"
            if [ "$%s" = 1 ]; then
              ISOFOLD_GPU=$CUDA_VISIBLE_DEVICES
            else
              CUDA_VISIBLE_DEVICES=
              ISOFOLD_GPU=cpu
            fi
            export CUDA_VISIBLE_DEVICES ISOFOLD_GPU
            unset %s
            "$@"; s=$?; printf '%%s\\n' "$s" > "$ISOFOLD_ATTEMPT_DIR/%s"; exit "$s"
            """, NODE_FILE, GPU_REQUESTED, GPU_REQUESTED, RunFiles.AttemptFiles.EXIT_STATUS);

    private JobScript() {}

    /** Writes the script into the attempt directory (where it also documents what ran); returns its path. */
    static Path write(Path attemptDir) throws IOException {
        Path script = attemptDir.resolve(FILE);
        Files.writeString(script, TEXT);
        return script;
    }
}
