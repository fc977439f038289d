package io.jsyd.runtime.policy;

/** One thing wrong in policy text: where, and what was expected there. */
public record PolicyProblem(Origin origin, String message) {
    public String format() {
        return origin.format() + ": " + message;
    }
}
