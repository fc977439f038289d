package io.jsyd.runtime.policy;

import java.util.Optional;

/**
 * What happens to an access that a rule or a category default decides, with Syd's
 * meanings: two actions let the call through (one silently, one with a log line),
 * the others refuse it and differ in what else happens to the caller.
 */
public enum Action {
    /** The call proceeds; nothing is logged. */
    ALLOW,
    /** The call proceeds and is logged: a dry run of a stricter policy. */
    WARN,
    /** The call fails (EACCES by default) and nothing is logged: known noise. */
    FILTER,
    /** The call fails and is logged. */
    DENY,
    /** The call fails, is logged, and the calling process is stopped (SIGSTOP). */
    STOP,
    /** The call fails, is logged, and the calling process is killed (SIGKILL). */
    KILL,
    /** The call fails, is logged, and the whole container ends. */
    EXIT;

    /** Whether the system call goes ahead. */
    public boolean permits() {
        return this == ALLOW || this == WARN;
    }

    /** Whether the decision is written to the log (everything but ALLOW and FILTER). */
    public boolean logged() {
        return this != ALLOW && this != FILTER;
    }

    /** The word used in policy text. */
    public String spelling() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<Action> ofSpelling(String word) {
        for (Action a : values()) {
            if (a.spelling().equals(word)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
