/**
 * What a run is: the validated {@link io.isofold.supervisor.spec.RunSpec} as run.json records it, its
 * parts (durations, sizes, metric goals and their directions, a param's value as text), the exit statuses
 * and the one-line {@link io.isofold.supervisor.spec.BadInput}.
 *
 * <p>Never imports another package of the supervisor.
 */
package io.isofold.supervisor.spec;
