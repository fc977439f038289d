package io.jsyd.runtime.landlock;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.LinuxConstants;

/**
 * Asks the kernel which Landlock ABI it speaks. A seam: the planner takes whatever
 * a probe says, so a unit test can play a kernel of any ABI.
 */
@FunctionalInterface
public interface LandlockProbe {
    LandlockSupport probe();

    /** A probe that answers {@code abi} (a test's kernel). */
    static LandlockProbe fixed(int abi) {
        LandlockSupport s = LandlockSupport.abi(abi);
        return () -> s;
    }

    /**
     * This kernel: landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION).
     * ENOSYS means a kernel built without it, EOPNOTSUPP one that has it turned off
     * (not in the lsm= list).
     */
    static LandlockProbe system() {
        return () -> {
            long rc = LandlockNative.C.syscall(new NativeLong(LinuxConstants.SYS_landlock_create_ruleset), Pointer.NULL,
                    new NativeLong(0), LandlockAccess.CREATE_RULESET_VERSION).longValue();
            if (rc > 0) {
                return new LandlockSupport((int) rc, "");
            }
            int errno = rc == -1 ? Native.getLastError() : 0;
            String reason = errno == Errno.ENOSYS.number() ? "the kernel was built without Landlock"
                    : errno == Errno.EOPNOTSUPP.number() ? "Landlock is turned off (not in the kernel's lsm= list)"
                    : "landlock_create_ruleset answered " + rc + (errno == 0 ? "" : " (" + Errno.describe(errno) + ")");
            return new LandlockSupport(0, reason);
        };
    }
}
