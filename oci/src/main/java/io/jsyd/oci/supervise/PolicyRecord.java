package io.jsyd.oci.supervise;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciIoException;
import io.jsyd.runtime.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The effective policy of a container as `create` read it, kept in its state
 * directory ({@value SupervisorPaths#POLICY}) in canonical form: `policy show`
 * prints it without reading the bundle again, which may have changed since.
 */
public final class PolicyRecord {
    private PolicyRecord() {
    }

    public static void write(Path stateDir, Policy policy) throws OciIoException {
        Path file = stateDir.resolve(SupervisorPaths.POLICY);
        try {
            Files.writeString(file, policy.render());
        } catch (IOException e) {
            throw new OciIoException("write the policy", file, e);
        }
    }

    public static String show(Path root, String id) throws ContainerStateException, OciIoException {
        Path file = new SupervisorPaths(root).stateDir(id).resolve(SupervisorPaths.POLICY);
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ContainerStateException("container " + id + " has no sandbox policy");
        } catch (IOException e) {
            throw new OciIoException("read the policy", file, e);
        }
    }
}
