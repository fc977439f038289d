package io.jsyd.runtime;

import java.util.List;

/**
 * A strict ({@code default/lock:kill}) Landlock policy that this kernel cannot
 * apply in full: every reason, each naming the rule and its line where one caused it.
 */
public final class LandlockException extends KernelException {
    private final List<String> reasons;

    public LandlockException(List<String> reasons) {
        super("the sandbox policy's Landlock rules cannot all be applied (default/lock:kill; default/lock:warn"
                + " applies what it can): " + String.join("; ", reasons));
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException("a Landlock refusal needs a reason");
        }
        this.reasons = List.copyOf(reasons);
    }

    public List<String> reasons() {
        return reasons;
    }
}
