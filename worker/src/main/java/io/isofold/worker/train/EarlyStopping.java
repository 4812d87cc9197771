package io.isofold.worker.train;

/**
 * Stops training when the validation loss has not improved for {@code patience} epochs, and remembers
 * the best epoch, as Keras' EarlyStopping with restore_best_weights does.
 */
public final class EarlyStopping {
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch = -1;
    private int sinceBest;

    /** What a checkpoint keeps of it: the best validation loss, its epoch (-1: none yet), and epochs since. */
    public record State(double best, int bestEpoch, int sinceBest) {}

    public EarlyStopping(int patience) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must not be negative, got " + patience);
        }
        this.patience = patience;
    }

    /** Records an epoch's validation loss; true when it is the best so far (a NaN never is). */
    public boolean update(int epoch, double valLoss) {
        if (valLoss < best) {
            best = valLoss;
            bestEpoch = epoch;
            sinceBest = 0;
            return true;
        }
        sinceBest++;
        return false;
    }

    /** True once {@code patience} epochs in a row failed to improve (patience 0 acts as 1). */
    public boolean shouldStop() {
        return sinceBest >= Math.max(1, patience);
    }

    public State state() {
        return new State(best, bestEpoch, sinceBest);
    }

    /** Takes up where {@code state} was, as if this had seen the same epochs. */
    public void restore(State state) {
        best = state.best();
        bestEpoch = state.bestEpoch();
        sinceBest = state.sinceBest();
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double bestValLoss() {
        return best;
    }
}
