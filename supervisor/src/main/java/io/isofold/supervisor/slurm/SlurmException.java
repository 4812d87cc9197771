package io.isofold.supervisor.slurm;

import java.io.IOException;

/**
 * A Slurm command failed, could not be run, or did not answer in time. The message is one line for a
 * user, quoting Slurm's own first line of complaint.
 */
public final class SlurmException extends IOException {
    private final boolean answer;

    SlurmException(String message) {
        this(message, false);
    }

    /**
     * @param answer true when Slurm answered and said no (sbatch refused the job: an account or partition
     *               that does not exist, a limit): asking again gets the same answer. False when no answer came
     *               (the controller was unreachable, the command timed out or could not run): worth asking again
     */
    SlurmException(String message, boolean answer) {
        super(message);
        this.answer = answer;
    }

    /** Whether Slurm answered with a refusal; otherwise the command gave no answer and is worth retrying. */
    public boolean answer() {
        return answer;
    }
}
