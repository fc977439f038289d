package io.jsyd.runtime.cgroup;

import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.Bpf;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.KernelFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real cgroupfs, through plain syscalls so the kernel's errno reaches the user. */
final class SystemCgroupFs implements CgroupFs {
    @Override
    public String read(Path file) {
        return KernelFiles.read(file.toString());
    }

    @Override
    public void write(Path file, String value) {
        KernelFiles.writeOnce(file.toString(), value, "");
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean mkdir(Path dir) {
        return KernelFiles.mkdir(dir.toString(), 0755);
    }

    @Override
    public void rmdir(Path dir) {
        KernelFiles.rmdir(dir.toString());
    }

    @Override
    public List<Path> subdirectories(Path dir) {
        List<Path> result = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, Files::isDirectory)) {
            s.forEach(result::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new SyscallException("opendir", Errno.EIO.number(), dir + ": " + e.getMessage());
        }
        return result;
    }

    /*
     * As runc does: with exactly one program there, replace it atomically
     * (BPF_F_REPLACE), so the cgroup is never without a filter; otherwise attach
     * the new one and then detach the old ones.
     */
    @Override
    public void attachDeviceProgram(Path dir, byte[] instructions, String license) {
        String subject = dir.toString();
        try (Fd cgroup = KernelFiles.openDirectory(subject);
             Fd program = Bpf.loadCgroupDeviceProgram(instructions, license)) {
            List<Fd> old = new ArrayList<>();
            try {
                for (int id : Bpf.attachedCgroupDevicePrograms(cgroup, subject)) {
                    old.add(Bpf.programById(id));
                }
                if (old.size() == 1) {
                    try {
                        Bpf.attachCgroupDevice(cgroup, program, old.getFirst(), subject);
                        return;
                    } catch (SyscallException e) {
                        if (!e.is(Errno.EINVAL)) {
                            throw e;
                        }
                        // a kernel without BPF_F_REPLACE: attach, then detach below
                    }
                }
                Bpf.attachCgroupDevice(cgroup, program, null, subject);
                for (Fd o : old) {
                    Bpf.detachCgroupDevice(cgroup, o, subject);
                }
            } finally {
                old.forEach(Fd::close);
            }
        }
    }
}
