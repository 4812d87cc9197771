package io.isofold.supervisor.journal;

/** Which attempt of which replicate: replicate ids are unique in a run, across models. */
public record AttemptId(int replicate, String model, int index, int fold, int shuffle, int attempt) {
    public String label() {
        return "replicate " + replicate + " (" + model + ", fold " + fold + ") attempt " + attempt;
    }
}
