package io.isofold.shared;

/**
 * One line of {@code progress.jsonl}: the worker's heartbeat. Three kinds of line:
 * <ul>
 *   <li>end of epoch: every figure set, {@code batch} and {@code phase} absent; {@code seconds} since training began;
 *   <li>within an epoch: {@code batch}/{@code batches} set, the validation fields absent;
 *   <li>phase: {@code phase} set (one of the {@code PHASE_*} names), no figures; {@code epoch} is the epoch under
 *       way (0 before training); {@code seconds} since the worker's JVM started. Written when a phase begins and
 *       again every few seconds while it lasts, so that a long phase (a first GPU step that compiles kernels for
 *       minutes) is visibly alive.
 * </ul>
 * Readers that look for end-of-epoch lines by a finite {@code val_loss} or an absent {@code batch} keep working:
 * a phase line has no {@code val_loss}, and {@link #endOfEpoch()} excludes it.
 */
public record ProgressEvent(
        int epoch,
        Integer batch,
        Integer batches,
        Double loss,
        Double accuracy,
        Double valLoss,
        Double valAccuracy,
        double seconds,
        String phase) {

    public static final String PHASE_STARTING = "starting";
    public static final String PHASE_LOADING_DATA = "loading data";
    public static final String PHASE_BUILDING = "building";
    public static final String PHASE_FIRST_STEP = "first step";
    public static final String PHASE_TRAINING = "training";
    public static final String PHASE_SAVING = "saving";
    /**
     * Written once by a worker that continues from a checkpoint, before training goes on: {@code epoch} is the
     * whole epochs the checkpoint holds, {@code batch} the batches of the next one already done (0 at an epoch's
     * end), and {@code restored_seconds} the training time the checkpoint spares.
     */
    public static final String PHASE_CONTINUED = "continued";

    /** An epoch or within-epoch line, as written before phases existed. */
    public ProgressEvent(int epoch, Integer batch, Integer batches, Double loss, Double accuracy, Double valLoss,
                         Double valAccuracy, double seconds) {
        this(epoch, batch, batches, loss, accuracy, valLoss, valAccuracy, seconds, null);
    }

    public static ProgressEvent phase(String phase, int epoch, double seconds) {
        return new ProgressEvent(epoch, null, null, null, null, null, null, seconds, phase);
    }

    public boolean endOfEpoch() {
        return batch == null && phase == null;
    }
}
