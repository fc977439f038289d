package io.jsyd.runtime.linux;

import com.sun.jna.Native;
import io.jsyd.runtime.SyscallException;

/** Waiting for, signalling and adopting processes. */
public final class Processes {
    private Processes() {
    }

    /** How a process ended: exited with a status, or killed by a signal. */
    public record WaitStatus(int pid, boolean exited, int code) {
        /** The shell convention runc follows: the status, or 128 + signal. */
        public int exitCode() {
            return exited ? code : 128 + code;
        }
    }

    public static int self() {
        return Sys.C.getpid();
    }

    /**
     * Gives the calling thread its own working directory, root and umask
     * (unshare(CLONE_FS)) and sets that umask: a thread that runs a command for
     * another process takes on that process's umask without changing the rest of
     * this one.
     */
    public static void privateFsForThisThread(int umask) {
        Sys.check(Sys.C.unshare((int) LinuxConstants.CLONE_FS), "unshare", "CLONE_FS");
        Sys.C.umask(umask);
    }

    /** This process's effective uid (geteuid cannot fail). */
    public static long effectiveUid() {
        return Integer.toUnsignedLong(Sys.C.geteuid());
    }

    /** Blocks until {@code pid} (a child of this process) ends; EINTR is retried. */
    public static WaitStatus waitFor(int pid) {
        int[] status = new int[1];
        while (true) {
            int rc = Sys.C.waitpid(pid, status, 0);
            if (rc == pid) {
                return decode(pid, status[0]);
            }
            int errno = Native.getLastError();
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("waitpid", errno, "pid " + pid);
            }
        }
    }

    /** The status when {@code pid} has ended, else null; never blocks. */
    public static WaitStatus poll(int pid) {
        int[] status = new int[1];
        int rc = Sys.check(Sys.C.waitpid(pid, status, (int) LinuxConstants.WNOHANG), "waitpid", "pid " + pid);
        return rc == 0 ? null : decode(pid, status[0]);
    }

    /** A raw wait status (as waitpid fills it in) as a WaitStatus. */
    public static WaitStatus decode(int pid, int status) {
        int sig = status & 0x7f;
        return sig == 0 ? new WaitStatus(pid, true, (status >> 8) & 0xff) : new WaitStatus(pid, false, sig);
    }

    /**
     * Stops this process (SIGSTOP) through the calling thread. Directed at the thread,
     * the signal stops it before the call returns; kill(getpid()) instead lets the
     * kernel pick a thread to start the stop, and the caller runs on until the stop
     * reaches it.
     */
    public static void stopThisThread() {
        Sys.check(Sys.C.tgkill(Sys.C.getpid(), Sys.C.gettid(), (int) LinuxConstants.SIGSTOP), "tgkill",
                "SIGSTOP to the calling thread");
    }

    public static void kill(int pid, int signal) {
        Sys.check(Sys.C.kill(pid, signal), "kill", "pid " + pid + " with signal " + signal);
    }

    /** Sends a signal unless the process is already gone; true when it was delivered. */
    public static boolean signalIfAlive(int pid, int signal) {
        if (Sys.C.kill(pid, signal) == 0) {
            return true;
        }
        int errno = Native.getLastError();
        if (errno == Errno.ESRCH.number()) {
            return false;
        }
        throw new SyscallException("kill", errno, "pid " + pid + " with signal " + signal);
    }

    /** Orphans of our descendants come to us to be reaped (PR_SET_CHILD_SUBREAPER). */
    public static void becomeSubreaper() {
        Sys.check(Sys.C.prctl((int) LinuxConstants.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0),
                "prctl(PR_SET_CHILD_SUBREAPER)", "");
    }

    /**
     * What /proc/PID/stat says of a process: its start time in clock ticks since boot
     * (field 22), which tells a reused pid from the process once known, and its state
     * letter (Z for a zombie). Null when there is no such process.
     */
    public record StatLine(long startTime, char state) {
    }

    public static StatLine stat(int pid) {
        String line;
        try {
            line = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (java.io.IOException e) {
            // a process that exits while we read it
            return null;
        }
        // the command name (field 2) may hold spaces and parentheses: fields restart after the last ')'
        String[] rest = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        return new StatLine(Long.parseLong(rest[19]), rest[0].charAt(0));
    }
}
