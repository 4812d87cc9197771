package io.isofold.supervisor.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A directory holding a fake {@code nvidia-smi} that lists {@code count} GPUs, for the child
 * supervisor's PATH: the tests must not depend on the GPUs (or their absence) of the machine.
 *
 * <p>It answers the queries isofold makes, as nvidia-smi prints them: detection
 * ("0, Fake GPU, GPU-fake-0, 81559"), {@code -L} (with MIG devices {@code MIG-fake-G-D} on the GPUs
 * given MIG devices), the health counters, the driver version and a GPU's name. What a test changes
 * while a run goes on lives in files beside the script, read at every call: {@code sick-gpus} (one
 * line per sick GPU: index and kind) and {@code hang} (every call then sleeps, as nvidia-smi does on
 * a GPU that fell off the bus).
 */
final class FakeGpus {
    static final String DRIVER_VERSION = "550.54.15";

    private final Path bin;

    private FakeGpus(Path bin) {
        this.bin = bin;
    }

    /**
     * @param migDevices how many MIG devices GPU 0, 1, ... has (none for GPUs past the array's end)
     */
    static FakeGpus create(Path parent, int count, int... migDevices) {
        try {
            Path bin = Files.createTempDirectory(Files.createDirectories(parent), "fake-gpus-" + count + "-");
            Path smi = bin.resolve("nvidia-smi");
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < count; i++) {
                all.append(' ').append(i);
            }
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < count; i++) {
                list.append("    echo 'GPU ").append(i).append(": Fake GPU (UUID: GPU-fake-").append(i).append(")'\n");
                for (int d = 0; d < (i < migDevices.length ? migDevices[i] : 0); d++) {
                    list.append("    echo '  MIG 1g.10gb     Device  ").append(d).append(": (UUID: MIG-fake-")
                            .append(i).append('-').append(d).append(")'\n");
                }
            }
            String script = """
                    #!/bin/sh
                    here="$(dirname "$0")"
                    if [ -e "$here/hang" ]; then exec sleep 600; fi
                    # the kind of sickness of GPU $1 (ecc, retired, remapped, remap-failure), or nothing
                    sick() {
                      [ -f "$here/sick-gpus" ] || return 0
                      while read -r g kind; do
                        if [ "$g" = "$1" ]; then echo "${kind:-ecc}"; return 0; fi
                      done <"$here/sick-gpus"
                    }
                    case "$*" in
                      *--query-gpu=index,name,uuid,memory.total*)
                        for i in ALL; do echo "$i, Fake GPU, GPU-fake-$i, 81559"; done ;;
                      -L)
                    LIST    ;;
                      *--query-gpu=index,uuid,ecc.errors.uncorrected.volatile.total,retired_pages.pending*)
                        for i in ALL; do
                          ecc=0; retired='[N/A]'
                          case "$(sick "$i")" in ecc) ecc=3 ;; retired) retired=Yes ;; esac
                          echo "$i, GPU-fake-$i, $ecc, $retired"
                        done ;;
                      *--query-remapped-rows=gpu_uuid,remapped_rows.pending,remapped_rows.failure*)
                        for i in ALL; do
                          pending=No; failure=No
                          case "$(sick "$i")" in remapped) pending=Yes ;; remap-failure) failure=Yes ;; esac
                          echo "GPU-fake-$i, $pending, $failure"
                        done ;;
                      *--query-gpu=driver_version*)
                        for i in ALL; do echo DRIVER; done ;;
                      *--query-gpu=name*)
                        echo "Fake GPU" ;;
                      *) echo "fake nvidia-smi: unexpected arguments: $*" >&2; exit 9 ;;
                    esac
                    """.replace("ALL", all.toString().trim()).replace("LIST", list.toString())
                    .replace("DRIVER", DRIVER_VERSION);
            Files.writeString(smi, script);
            Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
            return new FakeGpus(bin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From the next call on, GPU {@code index} reports {@code kind}: ecc, retired, remapped or remap-failure. */
    FakeGpus markSick(int index, String kind) {
        try {
            Files.writeString(bin.resolve("sick-gpus"), index + " " + kind + "\n", StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** From the next call on, every call hangs (for 10 minutes, so nothing lingers for ever). */
    FakeGpus hang() {
        try {
            Files.writeString(bin.resolve("hang"), "");
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The folder holding the fake nvidia-smi. */
    Path bin() {
        return bin;
    }

    /** PATH with the fake first, then the test JVM's own PATH (for java, setsid, bash). */
    String path() {
        String inherited = System.getenv("PATH");
        return bin + (inherited == null || inherited.isEmpty() ? "" : ":" + inherited);
    }
}
