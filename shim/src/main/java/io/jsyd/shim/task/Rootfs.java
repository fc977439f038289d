package io.jsyd.shim.task;

import io.jsyd.oci.convert.MountOptions;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.shim.proto.types.Mount;
import io.jsyd.shim.sys.ShimSys;
import io.jsyd.shim.ttrpc.Code;
import io.jsyd.shim.ttrpc.TtrpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The rootfs mounts containerd hands over with Create (a snapshot: an overlay, or
 * a bind of a directory), mounted by the shim on BUNDLE/rootfs, where the config's
 * root.path points, and detached again on Delete.
 */
final class Rootfs {
    private Rootfs() {
    }

    /** Mounts them in order; true when anything was mounted. Nothing stays mounted on failure. */
    static boolean mount(List<Mount> mounts, Path bundle) throws TtrpcException {
        if (mounts.isEmpty()) {
            return false;
        }
        Path target = bundle.resolve("rootfs");
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new TtrpcException(Code.INTERNAL, "create " + target + ": " + e.getMessage());
        }
        int done = 0;
        try {
            for (Mount m : mounts) {
                MountOptions o = MountOptions.parse(m.getType(), m.getOptionsList());
                long flags = o.flags() | (o.bind() ? LinuxConstants.MS_BIND : 0)
                        | (o.recursive() ? LinuxConstants.MS_REC : 0);
                String type = o.bind() ? "none" : m.getType();
                ShimSys.mount(m.getSource(), target, type, flags & ~LinuxConstants.MS_RDONLY, o.bind() ? "" : o.data());
                done++;
                if (o.bind() && (flags & LinuxConstants.MS_RDONLY) != 0) {
                    // a bind mount takes MS_RDONLY only on a remount
                    ShimSys.mount("", target, "", LinuxConstants.MS_BIND | LinuxConstants.MS_REMOUNT
                            | LinuxConstants.MS_RDONLY | (flags & ~LinuxConstants.MS_REC), "");
                } else if ((flags & LinuxConstants.MS_RDONLY) != 0) {
                    ShimSys.mount("", target, "", LinuxConstants.MS_REMOUNT | flags, o.data());
                }
            }
            return true;
        } catch (KernelException e) {
            for (int i = 0; i < done; i++) {
                ShimSys.unmount(target);
            }
            throw new TtrpcException(Code.INTERNAL, "mount the rootfs on " + target + ": " + e.getMessage(), e);
        }
    }

    /** Detaches everything mounted on BUNDLE/rootfs. */
    static void unmount(Path bundle) {
        Path target = bundle.resolve("rootfs");
        for (int i = 0; i < 16 && ShimSys.unmount(target); i++) {
            // mounts stack: each call takes the top one
        }
    }
}
