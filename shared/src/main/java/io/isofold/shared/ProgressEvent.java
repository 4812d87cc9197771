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
 * A worker that continues from a checkpoint writes one more phase line before training goes on, {@value
 * #PHASE_CONTINUED}: {@code epoch} the whole epochs the checkpoint holds, {@code batch} the batches of the next
 * epoch already done (0 when it was saved at an epoch's end), {@code restoredSeconds} the seconds of training it
 * embodies (what a fresh start would have to redo); its epoch lines then go on from {@code epoch + 1}.
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
        String phase,
        Double restoredSeconds) {

    /**
     * The names in progress.jsonl of the fields the supervisor reads. Written from the components above by
     * {@link Json#MAPPER}'s snake_case naming, read back by these names; {@code ContractFieldNamesTest} holds
     * the two equal.
     */
    public static final String EPOCH = "epoch";
    public static final String BATCH = "batch";
    public static final String BATCHES = "batches";
    public static final String SECONDS = "seconds";
    public static final String PHASE = "phase";
    public static final String RESTORED_SECONDS = "restored_seconds";
    public static final String VAL_LOSS = "val_loss";

    public static final String PHASE_STARTING = "starting";
    public static final String PHASE_LOADING_DATA = "loading data";
    public static final String PHASE_BUILDING = "building";
    public static final String PHASE_FIRST_STEP = "first step";
    public static final String PHASE_TRAINING = "training";
    public static final String PHASE_SAVING = "saving";
    public static final String PHASE_CONTINUED = "continued";

    /** An epoch or within-epoch line, as written before phases existed. */
    public ProgressEvent(int epoch, Integer batch, Integer batches, Double loss, Double accuracy, Double valLoss,
                         Double valAccuracy, double seconds) {
        this(epoch, batch, batches, loss, accuracy, valLoss, valAccuracy, seconds, null, null);
    }

    /** Any line but {@value #PHASE_CONTINUED}, as written before continuing existed. */
    public ProgressEvent(int epoch, Integer batch, Integer batches, Double loss, Double accuracy, Double valLoss,
                         Double valAccuracy, double seconds, String phase) {
        this(epoch, batch, batches, loss, accuracy, valLoss, valAccuracy, seconds, phase, null);
    }

    public static ProgressEvent phase(String phase, int epoch, double seconds) {
        return new ProgressEvent(epoch, null, null, null, null, null, null, seconds, phase, null);
    }

    /** The {@value #PHASE_CONTINUED} line: epochs and batches the checkpoint holds, and the training seconds it saves. */
    public static ProgressEvent continued(int epoch, int batch, double seconds, double restoredSeconds) {
        return new ProgressEvent(epoch, batch, null, null, null, null, null, seconds, PHASE_CONTINUED, restoredSeconds);
    }

    public boolean endOfEpoch() {
        return batch == null && phase == null;
    }
}
