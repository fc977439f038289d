package io.jsyd.runtime.container;

/** sched_setattr(2) arguments. */
public record Scheduler(int policy, long flags, int nice, int priority, long runtime, long deadline,
                        long period) {
}
