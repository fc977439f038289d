package io.jsyd.runtime.policy;

/**
 * What happens when the kernel cannot apply every Landlock rule of a policy (an older
 * ABI, a rule path missing in the container). Syd's {@code default/lock:} spelling:
 * {@code kill} is its "hard requirement", {@code warn} its "best effort".
 */
public enum LockMode {
    /** The container does not start; the error names what could not be applied. The default, as in Syd. */
    STRICT("kill"),
    /** What can be applied is, and every rule or right dropped is logged. */
    BEST_EFFORT("warn");

    private final String spelling;

    LockMode(String spelling) {
        this.spelling = spelling;
    }

    /** The word after {@code default/lock:}. */
    public String spelling() {
        return spelling;
    }
}
