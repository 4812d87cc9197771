/**
 * The run itself: {@link io.isofold.supervisor.schedule.RunSetup} takes an output directory (a new run,
 * or a resume that settles what a dead supervisor left), {@link io.isofold.supervisor.schedule.RunLoop} runs
 * it on one thread, {@link io.isofold.supervisor.schedule.RunState} holds every rule of what runs next
 * (retries, budget, verdicts, quarantine), {@link io.isofold.supervisor.schedule.AttemptStarter} starts one
 * attempt and {@link io.isofold.supervisor.schedule.RunRecord} writes down what happened.
 *
 * <p>Never imports: cli.
 */
package io.isofold.supervisor.schedule;
