package io.isofold.supervisor.spec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which way one metric is better, and where that came from: the user's {@code --metric NAME:min|max}, the
 * worker's own word (its result's {@code directions}), or a guess from the name (a known name such as
 * {@code rmse} or {@code f1}, or, for a name nobody knows, "higher"). Every direction that neither the user
 * nor the worker gave is a guess, and the reports say so.
 *
 * @param lowerIsBetter true for losses, errors, times...
 * @param basis         how the direction was found
 */
public record MetricDirection(String metric, boolean lowerIsBetter, Basis basis) {

    /** Where a direction came from. The labels are summary.json's words. */
    public enum Basis {
        /** {@code --metric NAME:min} or {@code NAME:max}. */
        GIVEN("--metric"),
        /** The worker's result declared it ({@code "directions": {"val_loss": "min"}}). */
        WORKER("worker"),
        /** A name on the known lists (rmse, mae, perplexity, wer... lower; accuracy, auc, f1, r2... higher). */
        NAME("name"),
        /** A name on neither list: taken as higher-is-better, the more common kind of score. */
        DEFAULT("default");

        private final String label;

        Basis(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Shown first when no --metric says otherwise: the numbers a reader of a classification run looks for. */
    static final List<String> PREFERRED = List.of("val_accuracy", "val_loss");

    /**
     * Words (one token of a metric's name, or two joined by {@code _}) that say lower is better. A token is a
     * run of letters and digits; {@code valLoss}, {@code val-loss} and {@code val/loss} all hold {@code loss}.
     */
    static final Set<String> LOWER = Set.of(
            "loss", "losses", "error", "errors", "err", "rmse", "mse", "mae", "mape", "smape", "msle", "rmsle",
            "medae", "mad", "nll", "logloss", "xent", "crossentropy", "cross_entropy", "log_loss", "brier",
            "perplexity", "ppl", "wer", "cer", "ter", "hamming", "eer", "fpr", "fnr", "far", "frr", "kl", "kld",
            "divergence", "distance", "dist", "regret", "bpc", "bpd", "cost", "fid", "epe", "ade", "fde", "chamfer",
            "misclassification", "false_positive", "false_negative", "false_alarm", "miss_rate",
            "time", "seconds", "second", "secs", "sec", "ms", "minutes", "hours", "duration", "latency", "runtime",
            "elapsed", "memory", "mem", "bytes");

    /** Words that say higher is better. */
    static final Set<String> HIGHER = Set.of(
            "accuracy", "acc", "top1", "top5", "auc", "auroc", "roc_auc", "aupr", "auprc", "ap", "map", "f1", "f2",
            "fscore", "f1score", "f_score", "precision", "prec", "recall", "sensitivity", "specificity", "tpr", "tnr",
            "true_positive", "true_negative", "r2", "rsquared", "r_squared", "explained_variance", "ndcg", "mrr",
            "hit", "hits", "hitrate", "hit_rate", "bleu", "rouge", "rouge1", "rouge2", "rougel", "meteor", "chrf",
            "cider", "iou", "miou", "jaccard", "dice", "psnr", "ssim", "kappa", "mcc", "spearman", "pearson", "corr",
            "correlation", "likelihood", "loglik", "elbo", "reward", "return", "throughput");

    /** Units after "per" make a rate (samples per second): higher is better. */
    private static final Set<String> TIME_UNITS = Set.of("s", "sec", "secs", "second", "seconds", "minute",
            "minutes", "min", "hour", "hours", "h", "ms", "step", "epoch");

    /** For names that run words together ({@code valloss}): the longer, unambiguous words, looked for inside. */
    private static final Map<String, Boolean> INSIDE = Map.ofEntries(
            Map.entry("loss", true), Map.entry("error", true), Map.entry("rmse", true), Map.entry("perplexity", true),
            Map.entry("latency", true), Map.entry("duration", true), Map.entry("seconds", true),
            Map.entry("accuracy", false), Map.entry("acc", false), Map.entry("auc", false),
            Map.entry("precision", false), Map.entry("recall", false), Map.entry("f1", false));

    public MetricDirection {
        if (basis == null) {
            throw new IllegalArgumentException("a direction needs its basis");
        }
    }

    /** Any direction neither --metric nor the worker gave is a guess. */
    public boolean guessed() {
        return basis != Basis.GIVEN && basis != Basis.WORKER;
    }

    /** summary.json's {@code better}: {@code lower} or {@code higher}. */
    public String better() {
        return lowerIsBetter ? "lower" : "higher";
    }

    /** e.g. {@code lower is better}, {@code higher is better (guessed from the name)}. */
    public String phrase() {
        return better() + " is better" + (guessed() ? " (" + guessPhrase() + ")" : "");
    }

    /** Where the direction came from, in a few words: why a guessed one is what it is. */
    public String guessPhrase() {
        return switch (basis) {
            case GIVEN -> "set with --metric";
            case WORKER -> "declared by the worker";
            case NAME -> "guessed from the name";
            case DEFAULT -> "guessed: unknown name";
        };
    }

    /** An arrow for narrow places (the terminal table's header): ↓ or ↑, with ? when guessed. */
    public String arrow() {
        return (lowerIsBetter ? "\u2193" : "\u2191") + (guessed() ? "?" : "");
    }

    /** The direction of a metric nobody gave one for, from its name alone. */
    public static MetricDirection guess(String metric) {
        Boolean lower = fromName(metric);
        return lower == null ? new MetricDirection(metric, false, Basis.DEFAULT)
                : new MetricDirection(metric, lower, Basis.NAME);
    }

    /** The direction a worker declared: {@code min} or {@code max} (any case); null for anything else. */
    public static MetricDirection declared(String metric, String minOrMax) {
        if (minOrMax == null) {
            return null;
        }
        return switch (minOrMax.trim().toLowerCase(Locale.ROOT)) {
            case "min" -> new MetricDirection(metric, true, Basis.WORKER);
            case "max" -> new MetricDirection(metric, false, Basis.WORKER);
            default -> null;
        };
    }

    /** The guess alone: true for losses, errors, rmse, perplexity, times...; false for accuracy, AUC, F1... */
    public static boolean lowerIsBetter(String metric) {
        return guess(metric).lowerIsBetter();
    }

    /**
     * Lower-is-better from a name, or null when the name says nothing. The last word that says something wins
     * ({@code top1_error} is an error); a {@code neg} word flips it (scikit-learn's {@code neg_mean_squared_error}
     * is better high), as does {@code negative} before a likelihood.
     */
    static Boolean fromName(String metric) {
        if (metric == null) {
            return null;
        }
        // camelCase to words, then lower case; every run of letters and digits is a token
        String spaced = metric.replaceAll("(?<=[a-z0-9])(?=[A-Z])", "_").toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        for (String t : spaced.split("[^a-z0-9]+")) {
            if (!t.isEmpty()) {
                tokens.add(t);
            }
        }
        Boolean lower = null;
        boolean negated = false;
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (t.equals("neg") || (t.equals("negative") && i + 1 < tokens.size()
                    && (tokens.get(i + 1).equals("log") || tokens.get(i + 1).equals("likelihood")))) {
                negated = true;
                continue;
            }
            if (t.equals("per") && i + 1 < tokens.size() && TIME_UNITS.contains(tokens.get(i + 1))) {
                lower = false; // a rate: samples per second
                i++;
                continue;
            }
            // a pair of words first: false_positive is not "positive"
            if (i + 1 < tokens.size()) {
                String pair = t + "_" + tokens.get(i + 1);
                if (LOWER.contains(pair) || HIGHER.contains(pair)) {
                    lower = LOWER.contains(pair);
                    i++;
                    continue;
                }
            }
            if (LOWER.contains(t)) {
                lower = true;
            } else if (HIGHER.contains(t)) {
                lower = false;
            }
        }
        if (lower == null) {
            // words run together: the one that ends last in the name wins, as above
            int at = -1;
            for (Map.Entry<String, Boolean> e : INSIDE.entrySet()) {
                int i = spaced.lastIndexOf(e.getKey());
                if (i >= 0 && i + e.getKey().length() > at) {
                    at = i + e.getKey().length();
                    lower = e.getValue();
                }
            }
        }
        return lower == null ? null : lower != negated;
    }

    /**
     * val_accuracy and val_loss first when present, then the others alphabetically: first those whose name
     * says which way they are better (scores and losses), then the rest (counts, settings a worker reports).
     */
    public static List<String> displayOrder(Collection<String> metrics) {
        List<String> ordered = new ArrayList<>();
        for (String p : PREFERRED) {
            if (metrics.contains(p)) {
                ordered.add(p);
            }
        }
        List<String> unknown = new ArrayList<>();
        for (String m : new TreeSet<>(metrics)) {
            if (!PREFERRED.contains(m)) {
                (fromName(m) != null ? ordered : unknown).add(m);
            }
        }
        ordered.addAll(unknown);
        return ordered;
    }
}
