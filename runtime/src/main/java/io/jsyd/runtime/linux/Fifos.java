package io.jsyd.runtime.linux;

/** Named pipes. */
public final class Fifos {
    private Fifos() {
    }

    /** Makes a fifo at {@code path} with exactly {@code mode} (chmod after, so the umask takes nothing off). */
    public static void make(java.nio.file.Path path, int mode) {
        byte[] name = (path.toString() + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Sys.check(FsNative.mkfifoat((int) LinuxConstants.AT_FDCWD, name, mode), "mkfifo", path.toString());
        Sys.check(FsNative.fchmodat((int) LinuxConstants.AT_FDCWD, name, mode, 0), "chmod", path.toString());
    }
}
