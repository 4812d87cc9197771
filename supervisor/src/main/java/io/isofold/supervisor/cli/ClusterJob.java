package io.isofold.supervisor.cli;

import io.isofold.supervisor.journal.AttemptRecord;
import io.isofold.supervisor.slurm.SlurmClient;
import io.isofold.supervisor.slurm.SlurmException;
import io.isofold.supervisor.slurm.SlurmJobStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running attempt's cluster job as {@code status} shows it: its id and node from the journal, and
 * what Slurm says of it now (pending and why, or running, and where).
 *
 * @param state  Slurm's state ({@code PENDING}, {@code RUNNING}...), null when Slurm could not be asked
 * @param reason why it waits, in Slurm's words ({@code Resources}, {@code Priority}...), or null
 */
record ClusterJob(String jobId, String node, String state, String reason) {
    /** status must answer even while the controller does not: a short limit, then the journal's account alone. */
    private static final Duration ASK_LIMIT = Duration.ofSeconds(10);

    static String key(int replicate, int attempt) {
        return replicate + "/" + attempt;
    }

    /** The jobs of the run's running attempts, asked of Slurm in one squeue call; empty for a local run. */
    static Map<String, ClusterJob> ofRunning(List<AttemptRecord> running) {
        Map<String, ClusterJob> jobs = new LinkedHashMap<>();
        Map<Long, String> keyOf = new LinkedHashMap<>();
        for (AttemptRecord a : running) {
            String jobId = a.launch() == null ? null : a.launch().jobId();
            if (jobId != null && jobId.matches("\\d+")) {
                String key = key(a.id().replicate(), a.id().attempt());
                jobs.put(key, new ClusterJob(jobId, a.launch().node(), null, null));
                keyOf.put(Long.parseLong(jobId), key);
            }
        }
        if (keyOf.isEmpty()) {
            return jobs;
        }
        try {
            Map<Long, SlurmJobStatus> now = new SlurmClient(Map.of(), ASK_LIMIT).poll(keyOf.keySet());
            now.forEach((id, s) -> {
                ClusterJob known = jobs.get(keyOf.get(id));
                jobs.put(keyOf.get(id), new ClusterJob(known.jobId(), s.node() != null ? s.node() : known.node(),
                        s.slurmState(), s.reason()));
            });
        } catch (SlurmException e) {
            // no squeue here, or the controller is down: ids and nodes from the journal still help
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return jobs;
    }
}
