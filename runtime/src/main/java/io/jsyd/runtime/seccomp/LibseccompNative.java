package io.jsyd.runtime.seccomp;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The raw libseccomp calls (seccomp.h), uint32_t as int. Package-private: the rest
 * of the runtime goes through {@link Libseccomp}, which turns the negative errno
 * results into exceptions.
 */
interface LibseccompNative extends Library {
    Pointer seccomp_init(int defAction);

    void seccomp_release(Pointer ctx);

    int seccomp_arch_resolve_name(String name);

    int seccomp_arch_native();

    int seccomp_arch_exist(Pointer ctx, int archToken);

    int seccomp_arch_add(Pointer ctx, int archToken);

    int seccomp_attr_set(Pointer ctx, int attr, int value);

    int seccomp_syscall_resolve_name(String name);

    int seccomp_rule_add_array(Pointer ctx, int action, int syscall, int argCount, Pointer args);

    int seccomp_export_bpf(Pointer ctx, int fd);

    /** libseccomp 2.6 and later only: looked up before it is called. */
    int seccomp_export_bpf_mem(Pointer ctx, Pointer buf, Pointer len);

    int seccomp_api_get();

    Pointer seccomp_version();

    /** The C library's calls the binding needs besides libseccomp. */
    interface CLib extends Library {
        NativeLong syscall(NativeLong number, Object... args);

        int memfd_create(String name, int flags);
    }
}
