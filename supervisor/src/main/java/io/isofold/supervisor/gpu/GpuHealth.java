package io.isofold.supervisor.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the counters that say a GPU should get no more work: uncorrected volatile ECC errors, retired
 * pages pending, remapped rows pending or failed. Two nvidia-smi calls, each under the time limit of
 * {@link NvidiaSmi}; cheap enough between attempts. Never throws: a failed or hung query is a
 * {@link HealthReport} that says it could not read.
 *
 * <p>Fields a GPU lacks read {@code [N/A]} or {@code [Not Supported]} and count as healthy.
 */
public final class GpuHealth {
    static final String QUERY_GPU = "--query-gpu=index,uuid,ecc.errors.uncorrected.volatile.total,retired_pages.pending";
    static final String QUERY_ROWS = "--query-remapped-rows=gpu_uuid,remapped_rows.pending,remapped_rows.failure";
    static final String CSV = "--format=csv,noheader,nounits";

    private final NvidiaSmi smi;

    public GpuHealth(NvidiaSmi smi) {
        this.smi = smi;
    }

    /** Reads every GPU's counters with nvidia-smi from PATH and the time limit of ISOFOLD_NVIDIA_SMI_TIMEOUT. */
    public static HealthReport read() {
        try {
            return new GpuHealth(NvidiaSmi.fromEnvironment()).check();
        } catch (NvidiaSmi.Failed e) {
            return HealthReport.unreadable(e.getMessage());
        }
    }

    public HealthReport check() {
        String gpus;
        try {
            gpus = smi.run(QUERY_GPU, CSV);
        } catch (NvidiaSmi.Failed e) {
            return HealthReport.unreadable(e.getMessage());
        }
        String rows;
        try {
            rows = smi.run(QUERY_ROWS, CSV);
        } catch (NvidiaSmi.Failed e) {
            if (!e.refused()) {
                return HealthReport.unreadable(e.getMessage());
            }
            rows = ""; // drivers before row remapping (R450) refuse the query: nothing is pending there
        }
        if (lines(gpus).isEmpty()) {
            // an answer without a single row is a failed reading, not every GPU fallen off the bus at once
            return HealthReport.unreadable("nvidia-smi's health query listed no GPU");
        }
        return parse(gpus, rows);
    }

    static HealthReport parse(String gpuCsv, String rowsCsv) {
        Map<Integer, List<String>> problems = new LinkedHashMap<>();
        Map<String, Integer> byUuid = new HashMap<>();
        for (String line : lines(gpuCsv)) {
            String[] f = fields(line, 4);
            int index;
            try {
                index = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                return HealthReport.unreadable("unexpected nvidia-smi output: " + line.strip());
            }
            byUuid.put(f[1], index);
            List<String> p = problems.computeIfAbsent(index, k -> new ArrayList<>());
            long ecc = count(f[2]);
            if (ecc > 0) {
                p.add(ecc + " uncorrected ECC error" + (ecc == 1 ? "" : "s"));
            }
            if (flag(f[3])) {
                p.add("retired pages pending");
            }
        }
        for (String line : lines(rowsCsv)) {
            String[] f = fields(line, 3);
            Integer index = byUuid.get(f[0]);
            if (index == null) {
                continue;
            }
            if (flag(f[1])) {
                problems.get(index).add("remapped rows pending");
            }
            if (flag(f[2])) {
                problems.get(index).add("row remapping failed");
            }
        }
        Map<Integer, String> sick = new LinkedHashMap<>();
        problems.forEach((gpu, p) -> {
            if (!p.isEmpty()) {
                sick.put(gpu, "GPU " + gpu + ": " + String.join(", ", p) + advice(p));
            }
        });
        return new HealthReport(sick, problems.keySet(), null);
    }

    /** What to do, said once: every one of these clears only with a GPU reset, or never. */
    private static String advice(List<String> problems) {
        return problems.contains("row remapping failed") ? " (the GPU needs service)" : " (reset the GPU or reboot)";
    }

    private static List<String> lines(String csv) {
        return csv.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String[] fields(String line, int n) {
        String[] f = new String[n];
        String[] parts = line.split(",", n);
        for (int i = 0; i < n; i++) {
            f[i] = i < parts.length ? parts[i].trim() : "";
        }
        return f;
    }

    /** A counter; 0 for [N/A], [Not Supported] and anything else that is not a number. */
    private static long count(String field) {
        try {
            return Long.parseLong(field);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A yes/no field ("Yes", "No", or a count on some drivers); [N/A] and the like are no. */
    private static boolean flag(String field) {
        String f = field.toLowerCase(Locale.ROOT);
        return f.equals("yes") || f.equals("true") || count(f) > 0;
    }
}
