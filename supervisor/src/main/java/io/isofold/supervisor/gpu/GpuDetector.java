package io.isofold.supervisor.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Lists GPUs by running {@code nvidia-smi} from PATH; no nvidia-smi means no GPU. */
public final class GpuDetector {

    /** Thrown when nvidia-smi exists but fails: a broken driver should stop a GPU run, not turn it into a CPU run. */
    public static final class DetectionFailed extends Exception {
        DetectionFailed(String message) {
            super(message);
        }
    }

    public List<Gpu> detect() throws DetectionFailed {
        ProcessBuilder pb = new ProcessBuilder("nvidia-smi",
                "--query-gpu=index,name,uuid,memory.total", "--format=csv,noheader,nounits");
        pb.redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException notOnPath) {
            return List.of();
        }
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new DetectionFailed("nvidia-smi did not answer within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new DetectionFailed("nvidia-smi failed (exit " + p.exitValue() + "): " + firstLine(out));
            }
            return parse(out);
        } catch (IOException e) {
            throw new DetectionFailed("cannot read nvidia-smi's output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new DetectionFailed("interrupted while running nvidia-smi");
        }
    }

    static List<Gpu> parse(String csv) throws DetectionFailed {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : csv.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            try {
                long memory = f.length > 3 ? (long) Double.parseDouble(f[3].trim()) : 0;
                gpus.add(new Gpu(Integer.parseInt(f[0].trim()), f.length > 1 ? f[1].trim() : "",
                        f.length > 2 ? f[2].trim() : "", memory));
            } catch (NumberFormatException e) {
                throw new DetectionFailed("unexpected nvidia-smi output: " + line.trim());
            }
        }
        return gpus;
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
