package io.isofold.supervisor.launch;

import io.isofold.supervisor.journal.Verdict;

/**
 * How a worker ended, as its backend saw it.
 *
 * @param status  the worker's exit status (128 + N after signal N); null when it had none the backend could
 *                learn (a cluster that lost the node)
 * @param verdict set when the backend knows better than the status (the cluster's out-of-memory kill, a lost
 *                node); null to judge the status and the result file as the contract says
 * @param reason  the backend's words for {@code verdict}; null with it
 */
public record WorkerExit(Integer status, Verdict verdict, String reason) {

    public static WorkerExit status(int status) {
        return new WorkerExit(status, null, null);
    }
}
