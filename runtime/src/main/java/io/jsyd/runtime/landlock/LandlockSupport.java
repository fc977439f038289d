package io.jsyd.runtime.landlock;

/**
 * What the kernel offers: its Landlock ABI version (0 when there is no Landlock at
 * all), and why not when it is 0 (compiled out, disabled at boot, ...).
 */
public record LandlockSupport(int abi, String unavailableReason) {
    public LandlockSupport {
        if (abi < 0) {
            throw new IllegalArgumentException("an ABI version is not negative: " + abi);
        }
        if (abi == 0 && (unavailableReason == null || unavailableReason.isEmpty())) {
            throw new IllegalArgumentException("no Landlock needs a reason");
        }
    }

    public static LandlockSupport abi(int abi) {
        return new LandlockSupport(abi, abi == 0 ? "no Landlock" : "");
    }

    public boolean available() {
        return abi > 0;
    }

    /** For {@code --version} and messages: "ABI 7" or "none (reason)". */
    public String describe() {
        return available() ? "ABI " + abi : "none (" + unavailableReason + ")";
    }
}
