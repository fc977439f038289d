package io.jsyd.runtime.seccomp;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The system's libseccomp ({@code libseccomp.so.2}), loaded once through JNA, and
 * what it and the kernel say they can do. Filters are built here but never loaded
 * into this JVM: {@link #export} hands the BPF program to whoever loads it (the
 * init stub, right before execve).
 */
public final class Libseccomp {
    private final LibseccompNative lib;
    private final LibseccompNative.CLib libc;
    private final boolean exportsToMemory;

    private Libseccomp(LibseccompNative lib, LibseccompNative.CLib libc, boolean exportsToMemory) {
        this.lib = lib;
        this.libc = libc;
        this.exportsToMemory = exportsToMemory;
    }

    /** Loaded on first use; a missing library is remembered with the loader's reason. */
    private static final class Loaded {
        static final Libseccomp INSTANCE;
        static final String ERROR;

        static {
            Libseccomp instance = null;
            String error = null;
            try {
                NativeLibrary library = NativeLibrary.getInstance(LibseccompVersion.SONAME);
                boolean toMemory;
                try {
                    library.getFunction("seccomp_export_bpf_mem");
                    toMemory = true;
                } catch (UnsatisfiedLinkError e) {
                    toMemory = false;
                }
                instance = new Libseccomp(Native.load(LibseccompVersion.SONAME, LibseccompNative.class),
                        Native.load(io.jsyd.runtime.linux.CLibrary.SONAME, LibseccompNative.CLib.class), toMemory);
            } catch (UnsatisfiedLinkError e) {
                error = LibseccompVersion.SONAME + " cannot be loaded: " + e.getMessage();
            }
            INSTANCE = instance;
            ERROR = error;
        }
    }

    /** The library, or empty when this machine has none ({@link #unavailableReason} says why). */
    public static Optional<Libseccomp> load() {
        return Optional.ofNullable(Loaded.INSTANCE);
    }

    /** The library, or an IllegalStateException that says why it cannot be loaded. */
    public static Libseccomp get() {
        if (Loaded.INSTANCE == null) {
            throw new IllegalStateException(Loaded.ERROR);
        }
        return Loaded.INSTANCE;
    }

    public static String unavailableReason() {
        return Loaded.INSTANCE == null ? Loaded.ERROR : "";
    }

    /** What the loaded library says of itself (seccomp_version). */
    public LibseccompVersion version() {
        Pointer v = lib.seccomp_version();
        return new LibseccompVersion(v.getInt(SeccompConstants.SCMP_VERSION_MAJOR),
                v.getInt(SeccompConstants.SCMP_VERSION_MINOR), v.getInt(SeccompConstants.SCMP_VERSION_MICRO));
    }

    /** libseccomp's API level on this kernel (seccomp_api_get): 5 and up can notify. */
    public int apiLevel() {
        return lib.seccomp_api_get();
    }

    /** Whether the library exports a filter straight into memory (2.6 and later) rather than through an fd. */
    public boolean exportsToMemory() {
        return exportsToMemory;
    }

    /** The library's token for an architecture name ("x86_64", "aarch64" ...), or empty if it knows none. */
    public OptionalInt architecture(String name) {
        int token = lib.seccomp_arch_resolve_name(name);
        return token == 0 ? OptionalInt.empty() : OptionalInt.of(token);
    }

    /**
     * 0 when a filter on this machine can take the architecture, else the errno the
     * library gives (ENOENT for a name it does not know, EDOM for one of the other
     * byte order than the native one).
     */
    public int architectureError(String name) {
        OptionalInt token = architecture(name);
        if (token.isEmpty()) {
            return Errno.ENOENT.number();
        }
        try (Context ctx = context(SeccompAction.ALLOW)) {
            if (lib.seccomp_arch_exist(ctx.handle, token.getAsInt()) == 0) {
                return 0;
            }
            return -Math.min(0, lib.seccomp_arch_add(ctx.handle, token.getAsInt()));
        }
    }

    /**
     * The library's number for a syscall name: the native one, or a negative pseudo
     * number for a syscall of another architecture (socketcall on x86_64). Empty
     * when the library does not know the name at all.
     */
    public OptionalInt syscall(String name) {
        int nr = lib.seccomp_syscall_resolve_name(name);
        return nr == SeccompConstants.NR_SCMP_ERROR ? OptionalInt.empty() : OptionalInt.of(nr);
    }

    /**
     * Whether a rule with this action can be built: the library must know the action
     * and, for the newer ones (KILL_PROCESS, LOG, NOTIFY), the running kernel must
     * offer it, which libseccomp asks with SECCOMP_GET_ACTION_AVAIL.
     */
    public boolean accepts(SeccompAction action) {
        SeccompAction other = action == SeccompAction.ALLOW ? SeccompAction.KILL_THREAD : SeccompAction.ALLOW;
        try (Context ctx = context(other)) {
            return lib.seccomp_rule_add_array(ctx.handle, (int) action.libseccompValue(), syscall("getpid").orElseThrow(),
                    0, Pointer.NULL) == 0;
        }
    }

    /** Whether the library builds a comparison with this operator. */
    public boolean accepts(ArgOperator operator) {
        try (Context ctx = context(SeccompAction.ALLOW); Memory arg = conditions(
                java.util.List.of(new ArgCondition(0, operator, 0, 0)))) {
            return lib.seccomp_rule_add_array(ctx.handle, (int) SeccompAction.errno(1).libseccompValue(),
                    syscall("getpid").orElseThrow(), 1, arg) == 0;
        }
    }

    /**
     * Whether the running kernel takes a filter flag, asked as libseccomp does: a
     * known flag with no program fails with EFAULT, an unknown one with EINVAL. No
     * filter is ever installed. WAIT_KILLABLE_RECV is asked together with
     * NEW_LISTENER, the only way the kernel takes it.
     */
    public boolean kernelAccepts(FilterFlag flag) {
        long bits = flag.bit();
        if (flag == FilterFlag.WAIT_KILLABLE_RECV) {
            bits |= SeccompConstants.SECCOMP_FILTER_FLAG_NEW_LISTENER;
        }
        long rc = libc.syscall(new NativeLong(SeccompConstants.NR_SECCOMP),
                new NativeLong(SeccompConstants.SECCOMP_SET_MODE_FILTER), new NativeLong(bits), Pointer.NULL).longValue();
        return rc == -1 && Native.getLastError() == Errno.EFAULT.number();
    }

    /** A new filter context with the library's defaults; closing releases it. */
    Context context(SeccompAction defaultAction) {
        Pointer handle = lib.seccomp_init((int) defaultAction.libseccompValue());
        if (handle == null) {
            throw new IllegalArgumentException("libseccomp refuses " + defaultAction.label() + " as the default action");
        }
        return new Context(handle);
    }

    /** An array of struct scmp_arg_cmp, laid out as the header says. */
    static Memory conditions(java.util.List<ArgCondition> conditions) {
        Memory m = new Memory((long) Math.max(1, conditions.size()) * SeccompConstants.SIZEOF_SCMP_ARG_CMP);
        m.clear();
        for (int i = 0; i < conditions.size(); i++) {
            ArgCondition c = conditions.get(i);
            long base = (long) i * SeccompConstants.SIZEOF_SCMP_ARG_CMP;
            m.setInt(base + SeccompConstants.SCMP_ARG_CMP_ARG, c.index());
            m.setInt(base + SeccompConstants.SCMP_ARG_CMP_OP, c.operator().libseccompValue());
            m.setLong(base + SeccompConstants.SCMP_ARG_CMP_DATUM_A, c.value());
            m.setLong(base + SeccompConstants.SCMP_ARG_CMP_DATUM_B, c.valueTwo());
        }
        return m;
    }

    /** One scmp_filter_ctx. Not thread-safe; libseccomp's contexts share nothing. */
    final class Context implements AutoCloseable {
        private Pointer handle;

        private Context(Pointer handle) {
            this.handle = handle;
        }

        /** Adds an architecture unless the filter has it (the native one always). */
        void addArchitecture(int token, String name) {
            // seccomp_arch_exist: 0 when present, -EEXIST when absent
            if (lib.seccomp_arch_exist(handle(), token) == 0) {
                return;
            }
            check(lib.seccomp_arch_add(handle(), token), "seccomp_arch_add", name);
        }

        void setAttribute(long attribute, int value, String what) {
            check(lib.seccomp_attr_set(handle(), (int) attribute, value), "seccomp_attr_set", what);
        }

        /** 0 or the negative errno libseccomp returned. */
        int addRule(SeccompAction action, int syscall, java.util.List<ArgCondition> conditions) {
            if (conditions.isEmpty()) {
                return lib.seccomp_rule_add_array(handle(), (int) action.libseccompValue(), syscall, 0, Pointer.NULL);
            }
            try (Memory args = conditions(conditions)) {
                return lib.seccomp_rule_add_array(handle(), (int) action.libseccompValue(), syscall, conditions.size(),
                        args);
            }
        }

        /** The filter as a BPF program (struct sock_filter[]). */
        byte[] export() {
            return exportsToMemory ? exportToMemory() : exportThroughMemfd();
        }

        private byte[] exportToMemory() {
            try (Memory len = new Memory(Native.SIZE_T_SIZE)) {
                len.clear();
                check(lib.seccomp_export_bpf_mem(handle(), Pointer.NULL, len), "seccomp_export_bpf_mem", "(size)");
                long size = Native.SIZE_T_SIZE == 8 ? len.getLong(0) : len.getInt(0);
                try (Memory buf = new Memory(Math.max(1, size))) {
                    check(lib.seccomp_export_bpf_mem(handle(), buf, len), "seccomp_export_bpf_mem", "");
                    return buf.getByteArray(0, (int) size);
                }
            }
        }

        private byte[] exportThroughMemfd() {
            int raw = libc.memfd_create("jsyd-seccomp-bpf", (int) LinuxConstants.MFD_CLOEXEC);
            if (raw < 0) {
                throw new SyscallException("memfd_create", Native.getLastError(), "jsyd-seccomp-bpf");
            }
            try (Fd fd = Fd.adopt(raw)) {
                check(lib.seccomp_export_bpf(handle(), fd.get()), "seccomp_export_bpf", fd.toString());
                // a fresh open of the memfd starts at offset 0, whatever the export wrote
                return Files.readAllBytes(Path.of("/proc/self/fd/" + fd.get()));
            } catch (IOException e) {
                throw new UncheckedIOException("reading the exported seccomp program back", e);
            }
        }

        private Pointer handle() {
            if (handle == null) {
                throw new IllegalStateException("the seccomp context is released");
            }
            return handle;
        }

        @Override
        public void close() {
            if (handle != null) {
                lib.seccomp_release(handle);
                handle = null;
            }
        }
    }

    private static void check(int rc, String call, String subject) {
        if (rc < 0) {
            throw new SyscallException(call, -rc, subject);
        }
    }
}
