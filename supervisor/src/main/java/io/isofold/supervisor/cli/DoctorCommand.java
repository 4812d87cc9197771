package io.isofold.supervisor.cli;

import io.isofold.supervisor.spec.ExitStatus;
import io.isofold.shared.CudaLibraries;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.isofold.shared.Json;
import io.isofold.supervisor.gpu.CudaCache;
import io.isofold.supervisor.gpu.CudaDevice;
import io.isofold.supervisor.gpu.Gpu;
import io.isofold.supervisor.gpu.GpuDetector;
import io.isofold.supervisor.gpu.GpuHealth;
import io.isofold.supervisor.gpu.GpuSlots;
import io.isofold.supervisor.spec.GpuRequest;
import io.isofold.supervisor.gpu.HealthReport;
import io.isofold.supervisor.gpu.MigDevice;
import io.isofold.supervisor.gpu.NvidiaSmi;
import io.isofold.supervisor.gpu.TensorFlowView;
import io.isofold.supervisor.launch.WorkerCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Says whether this machine can run isofold on its GPUs, and what to do where it cannot. Every
 * external program it runs has a time limit; nothing it finds is an exception.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check this machine: Java, the NVIDIA driver, each GPU's health, the CUDA libraries, "
                + "what TensorFlow sees, the CUDA cache. Exit 0 when ready, 1 otherwise.")
final class DoctorCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    enum Status { OK, INFO, WARN, PROBLEM }

    /** One line of the checkup; {@code fix} says what to do, for WARN and PROBLEM. */
    record Check(String area, String item, Status status, String detail, String fix) {}

    private final List<Check> checks = new ArrayList<>();
    private final Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        checkJava();
        List<CudaDevice> devices = checkDriverAndGpus();
        boolean gpuMode = devices != null && !devices.isEmpty();
        checkLibraries(gpuMode);
        if (gpuMode) {
            checkTensorFlow(devices);
        }
        checkCudaCache();
        boolean ready = checks.stream().noneMatch(c -> c.status() == Status.PROBLEM);
        String verdict = !ready ? "not ready" : gpuMode ? "ready for the GPUs" : "ready for the CPU";
        if (json) {
            System.out.println(json(ready, gpuMode, verdict).toPrettyString());
        } else {
            System.out.print(text(ready, gpuMode, verdict));
        }
        return (ready ? ExitStatus.COMPLETE : ExitStatus.INCOMPLETE).code();
    }

    private void checkJava() {
        checks.add(new Check("java", "java", Status.OK, Runtime.version() + " (" + System.getProperty("java.home") + ")", null));
    }

    /** The devices a run with --gpus all would use; empty for a CPU machine, null when that cannot be known. */
    private List<CudaDevice> checkDriverAndGpus() {
        List<Gpu> gpus;
        try {
            gpus = new GpuDetector().detect();
        } catch (GpuDetector.DetectionFailed e) {
            checks.add(new Check("driver", "nvidia-smi", Status.PROBLEM, e.getMessage(),
                    "check the driver: run nvidia-smi by hand, look for Xid errors in dmesg; or run on the CPU with --gpus none"));
            return null;
        }
        if (gpus.isEmpty()) {
            boolean installed = onPath("nvidia-smi");
            checks.add(new Check("driver", "nvidia-smi", installed ? Status.PROBLEM : Status.INFO,
                    installed ? "nvidia-smi lists no GPU" : "not found on PATH: no NVIDIA driver, runs use CPU slots",
                    installed ? "check that the GPUs are visible to this machine or container (nvidia-smi -L)" : null));
            checkInherited(gpus);
            return List.of();
        }
        checks.add(new Check("driver", "nvidia-smi", Status.OK, "driver " + driverVersion(), null));
        HealthReport health = GpuHealth.read();
        for (Gpu g : gpus) {
            HealthReport.State state = health.state(g.index());
            String detail = g.name() + ", " + g.memoryMiB() + " MiB, " + g.uuid() + "; " + health.describe(g.index())
                    .substring(("GPU " + g.index() + ": ").length());
            checks.add(new Check("gpu", "GPU " + g.index(), switch (state) {
                case HEALTHY -> Status.OK;
                case SICK -> Status.PROBLEM;
                case UNKNOWN -> Status.WARN;
            }, detail, switch (state) {
                case HEALTHY -> null;
                case SICK -> "reset it (nvidia-smi -r -i " + g.index() + ") or reboot; until then leave it out with --gpus";
                case UNKNOWN -> "run nvidia-smi -q -d ECC,ROW_REMAPPER,PAGE_RETIREMENT by hand";
            }));
            for (MigDevice m : g.migDevices()) {
                checks.add(new Check("gpu", "GPU " + g.index() + ":mig" + m.index(), Status.INFO,
                        "MIG " + m.profile() + ", " + m.uuid() + ": a slot of its own", null));
            }
        }
        return checkInherited(gpus);
    }

    private List<CudaDevice> checkInherited(List<Gpu> gpus) {
        String inherited = env.get("CUDA_VISIBLE_DEVICES");
        try {
            List<CudaDevice> devices = GpuSlots.devices(GpuRequest.ALL, gpus, inherited);
            if (inherited != null) {
                checks.add(new Check("gpu", "CUDA_VISIBLE_DEVICES", Status.INFO, inherited + ": --gpus all uses "
                        + devices.stream().map(CudaDevice::label).toList(), null));
            }
            return devices;
        } catch (IllegalArgumentException e) {
            checks.add(new Check("gpu", "CUDA_VISIBLE_DEVICES", Status.PROBLEM, e.getMessage(),
                    "correct or unset CUDA_VISIBLE_DEVICES"));
            return null;
        }
    }

    private String driverVersion() {
        try {
            return NvidiaSmi.fromEnvironment().run("--query-gpu=driver_version", "--format=csv,noheader")
                    .lines().findFirst().orElse("unknown").strip();
        } catch (NvidiaSmi.Failed e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** On a GPU machine a missing library means TF computes on the CPU; on a CPU machine it is only information. */
    private void checkLibraries(boolean gpuMode) {
        List<String> missing = new ArrayList<>();
        // looked up on the loader path the workers will get, as the built-in worker looks them up itself
        Map<String, String> workers = new LinkedHashMap<>(env);
        String loaderPath = CudaLibraries.workerLoaderPath(env);
        if (loaderPath != null) {
            workers.put("LD_LIBRARY_PATH", loaderPath);
        }
        CudaLibraries.forEnvironment(workers).locateAll().forEach((soname, where) -> {
            if (where.isPresent()) {
                checks.add(new Check("cuda", soname, gpuMode ? Status.OK : Status.INFO, where.get().toString(), null));
            } else if (!gpuMode) {
                missing.add(soname);
            } else {
                checks.add(new Check("cuda", soname, Status.PROBLEM, "not found", soname.equals("libcuda.so.1")
                        ? "it comes with the NVIDIA driver: reinstall the driver, or add its folder to LD_LIBRARY_PATH"
                        : "install " + (soname.startsWith("libcudnn") ? "cuDNN 9" : "CUDA 12") + ", or set "
                                + CudaLibraries.FOLDER_ENV + " (or LD_LIBRARY_PATH) to the folder that holds it"));
            }
        });
        if (!missing.isEmpty()) {
            checks.add(new Check("cuda", "libraries", Status.INFO, "not found (needed only on a GPU): "
                    + String.join(", ", missing), null));
        }
    }

    private void checkTensorFlow(List<CudaDevice> devices) {
        Path jar = Installation.workerJar();
        if (!Files.isRegularFile(jar)) {
            checks.add(new Check("tensorflow", "TF's view", Status.WARN, "unknown: the built-in worker is not built ("
                    + jar + ")", "run scripts/run.sh doctor, which builds it first"));
            return;
        }
        List<String> worker = WorkerCommand.builtIn(jar, List.of());
        // a run pins one device per worker, so each device is probed on its own
        for (CudaDevice d : devices) {
            Map<String, String> probeEnv = new LinkedHashMap<>();
            probeEnv.put("CUDA_VISIBLE_DEVICES", d.cudaVisibleDevices());
            probeEnv.put("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
            String loaderPath = CudaLibraries.workerLoaderPath(env);
            if (loaderPath != null) {
                probeEnv.put("LD_LIBRARY_PATH", loaderPath);
            }
            TensorFlowView view = TensorFlowView.probe(worker, probeEnv, TensorFlowView.TIMEOUT);
            String item = "GPU " + d.label();
            if (!view.known()) {
                checks.add(new Check("tensorflow", item, Status.WARN, "unknown: " + view.unknown(), null));
            } else if (view.seesGpu()) {
                checks.add(new Check("tensorflow", item, Status.OK, "TF sees " + view.devices(), null));
            } else {
                checks.add(new Check("tensorflow", item, Status.PROBLEM, "TF sees no GPU under CUDA_VISIBLE_DEVICES="
                        + d.cudaVisibleDevices() + " (only " + view.devices() + ")"
                        + (view.cudaMissing().isEmpty() ? "" : "; missing: " + String.join(", ", view.cudaMissing())),
                        "workers would train on the CPU: install the missing libraries (see the cuda lines)"));
            }
        }
    }

    private void checkCudaCache() {
        CudaCache cache = CudaCache.of(env);
        String source = cache.pathSetByUser() ? "" : " (isofold's default)";
        Path path = Path.of(cache.path());
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isWritable(existing) || !Files.isDirectory(existing)) {
            checks.add(new Check("cache", CudaCache.PATH_ENV, Status.PROBLEM, cache.path() + source + " is not writable",
                    "set " + CudaCache.PATH_ENV + " to a folder you can write to"));
        } else {
            checks.add(new Check("cache", CudaCache.PATH_ENV, Status.OK, cache.path() + source
                    + (Files.exists(path) ? "" : ", created at the first run"), null));
        }
        String size = cache.maxSize() < 0 ? "'" + env.get(CudaCache.MAXSIZE_ENV) + "'" : Long.toString(cache.maxSize());
        if (cache.maxSize() < CudaCache.ENOUGH) {
            checks.add(new Check("cache", CudaCache.MAXSIZE_ENV, Status.WARN, size + " bytes is too small for TF's kernels:"
                    + " each replicate may compile them again", "unset it (isofold then uses " + CudaCache.DEFAULT_MAXSIZE
                    + ") or set it to 2147483648 or more"));
        } else {
            checks.add(new Check("cache", CudaCache.MAXSIZE_ENV, Status.OK, size
                    + (cache.maxSizeSetByUser() ? "" : " (isofold's default)"), null));
        }
        if ("1".equals(env.get("CUDA_CACHE_DISABLE"))) {
            checks.add(new Check("cache", "CUDA_CACHE_DISABLE", Status.WARN, "1: every worker compiles TF's kernels again",
                    "unset CUDA_CACHE_DISABLE"));
        }
    }

    private String text(boolean ready, boolean gpuMode, String verdict) {
        StringBuilder out = new StringBuilder();
        for (Check c : checks) {
            out.append(String.format(Locale.ROOT, "%-7s %-44s %s%n", c.status().name().toLowerCase(Locale.ROOT), c.area() + " " + c.item(),
                    c.detail()));
        }
        List<Check> todo = checks.stream().filter(c -> c.fix() != null).toList();
        out.append(verdict);
        if (!ready) {
            long n = checks.stream().filter(c -> c.status() == Status.PROBLEM).count();
            out.append(": ").append(n).append(n == 1 ? " problem" : " problems");
        } else if (!gpuMode) {
            out.append(" (no GPU in use: runs use --cpu-workers CPU slots)");
        }
        out.append(System.lineSeparator());
        // one line per thing to do: eleven missing CUDA libraries have one fix
        Map<String, List<String>> itemsByFix = new LinkedHashMap<>();
        for (Check c : todo) {
            String kind = (c.status() == Status.PROBLEM ? "problem" : "warning") + ": " + c.area() + " ";
            itemsByFix.computeIfAbsent(kind + "\0" + c.fix(), k -> new ArrayList<>()).add(c.item());
        }
        itemsByFix.forEach((key, items) -> {
            String[] kindAndFix = key.split("\0", 2);
            out.append("  ").append(kindAndFix[0]).append(String.join(", ", items)).append(": ").append(kindAndFix[1])
                    .append(System.lineSeparator());
        });
        return out.toString();
    }

    private ObjectNode json(boolean ready, boolean gpuMode, String verdict) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("ready", ready);
        o.put("mode", gpuMode ? "gpu" : "cpu");
        o.put("verdict", verdict);
        o.put("problems", checks.stream().filter(c -> c.status() == Status.PROBLEM).count());
        ArrayNode list = o.putArray("checks");
        for (Check c : checks) {
            ObjectNode j = list.addObject();
            j.put("area", c.area());
            j.put("item", c.item());
            j.put("status", c.status().name().toLowerCase(Locale.ROOT));
            j.put("detail", c.detail());
            if (c.fix() != null) {
                j.put("fix", c.fix());
            }
        }
        return o;
    }

    private boolean onPath(String program) {
        String path = env.get("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
