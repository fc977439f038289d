package io.jsyd.runtime.landlock;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/** The probe's one call, which libc does not wrap; the stub makes every other Landlock call. */
interface LandlockNative extends Library {
    LandlockNative C = Native.load(io.jsyd.runtime.linux.CLibrary.SONAME, LandlockNative.class);

    NativeLong syscall(NativeLong number, Object... args);
}
