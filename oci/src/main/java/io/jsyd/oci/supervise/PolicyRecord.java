package io.jsyd.oci.supervise;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.policy.Origin;
import io.jsyd.runtime.policy.Policy;
import io.jsyd.runtime.policy.PolicyException;
import io.jsyd.runtime.policy.PolicyWire;
import java.util.List;
import java.util.Optional;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The effective policy of a container as `create` read it, kept in its state
 * directory ({@value SupervisorPaths#POLICY}) in canonical form, with its rules'
 * origins beside it ({@value #ORIGINS}): `policy show` prints it and `exec` confines
 * its process with it without reading the bundle again, which may have changed since.
 */
public final class PolicyRecord {
    private PolicyRecord() {
    }

    /** Where the rules came from (files, annotations, lines), beside the canonical text. */
    static final String ORIGINS = "policy-origins.json";

    /** The rules' origins and the lock's, in the order of {@link PolicyWire}. */
    record Origins(List<Origin> rules, Origin lockedAt) {
        Origins {
            rules = List.copyOf(rules);
        }
    }

    public static void write(Path stateDir, Policy policy) throws OciIoException {
        Path file = stateDir.resolve(SupervisorPaths.POLICY);
        PolicyWire.Encoded wire = PolicyWire.encode(policy);
        try {
            Files.writeString(file, wire.text());
            file = stateDir.resolve(ORIGINS);
            Files.writeString(file, SpecJson.compact(new Origins(wire.ruleOrigins(), wire.lockedAt().orElse(null))));
        } catch (IOException e) {
            throw new OciIoException("write the policy", file, e);
        }
    }

    /**
     * The policy as `create` or `run` read it, with its rules' origins (what `exec`
     * confines its process with: the bundle may have changed since), or empty when
     * the container has none.
     */
    public static Optional<Policy> read(Path stateDir) throws OciIoException {
        Path file = stateDir.resolve(SupervisorPaths.POLICY);
        try {
            if (Files.notExists(file)) {
                return Optional.empty();
            }
            String text = Files.readString(file);
            if (Files.notExists(stateDir.resolve(ORIGINS))) {
                // recorded by a jsyd-oci that kept no origins: the rules' lines are this file's
                return Optional.of(io.jsyd.runtime.policy.PolicyParser.parse(file.toString(), text));
            }
            file = stateDir.resolve(ORIGINS);
            Origins o = SpecJson.mapper().readValue(Files.readString(file), Origins.class);
            return Optional.of(PolicyWire.decode(new PolicyWire.Encoded(text, o.rules(), Optional.ofNullable(o.lockedAt()))));
        } catch (IOException e) {
            throw new OciIoException("read the policy", file, e);
        } catch (PolicyException | tools.jackson.core.JacksonException e) {
            throw new OciIoException("read the policy", file, new IOException(e.getMessage(), e));
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
