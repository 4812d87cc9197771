package io.isofold.supervisor.spec;

/**
 * A metric the user named with {@code --metric NAME[:min|max]}, and which way it is better.
 *
 * @param lowerIsBetter null when the user gave no direction (it is then guessed from the name, and marked so)
 */
public record MetricGoal(String name, Boolean lowerIsBetter) {

    /** {@code rmse:min}, {@code auc:max}, {@code val_accuracy}. */
    public static MetricGoal parse(String text) {
        String t = text == null ? "" : text.trim();
        int colon = t.lastIndexOf(':');
        String name = colon < 0 ? t : t.substring(0, colon).trim();
        if (name.isEmpty() || !name.matches("[A-Za-z0-9_.\\-/]+")) {
            throw new IllegalArgumentException("'" + text + "' is not a metric (expected NAME, NAME:min or NAME:max)");
        }
        if (colon < 0) {
            return new MetricGoal(name, null);
        }
        return switch (t.substring(colon + 1).trim().toLowerCase(java.util.Locale.ROOT)) {
            case "min" -> new MetricGoal(name, true);
            case "max" -> new MetricGoal(name, false);
            default -> throw new IllegalArgumentException("'" + text + "': the direction after ':' is min or max");
        };
    }

    @Override
    public String toString() {
        return lowerIsBetter == null ? name : name + (lowerIsBetter ? ":min" : ":max");
    }
}
