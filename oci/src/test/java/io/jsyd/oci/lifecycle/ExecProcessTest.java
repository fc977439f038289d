package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jsyd.oci.UsageException;
import io.jsyd.oci.spec.model.Capabilities;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.User;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How exec's flags change the config's process, as runc's getProcess does. */
class ExecProcessTest {
    private static Exec.Options options(List<String> args, List<String> env, String cwd, String user,
                                        List<String> caps, Boolean nnp, Boolean tty) {
        return new Exec.Options(Path.of("/r"), "c", null, args, env, cwd, user, List.of(5L), caps, nnp, tty, null,
                false, null, 0, false, null, null);
    }

    private static Process base() {
        Process p = new Process();
        p.setArgs(new ArrayList<>(List.of("init")));
        p.setEnv(new ArrayList<>(List.of("PATH=/bin")));
        p.setCwd("/home");
        p.setTerminal(true);
        User u = new User();
        u.setUid(10L);
        u.setGid(20L);
        p.setUser(u);
        Capabilities c = new Capabilities();
        c.setBounding(new ArrayList<>(List.of("CAP_KILL")));
        p.setCapabilities(c);
        return p;
    }

    @Test
    void flagsChangeTheConfigsProcess() throws Exception {
        Process p = Exec.process(options(List.of("ls", "-l"), List.of("A=1"), "/tmp", "7:8", List.of("net_admin"),
                true, null), base());
        assertEquals(List.of("ls", "-l"), p.getArgs());
        assertEquals(List.of("PATH=/bin", "A=1"), p.getEnv());
        assertEquals("/tmp", p.getCwd());
        assertEquals(7L, p.getUser().getUid());
        assertEquals(8L, p.getUser().getGid());
        assertEquals(List.of(5L), p.getUser().getAdditionalGids());
        assertEquals(List.of("CAP_KILL", "CAP_NET_ADMIN"), p.getCapabilities().getBounding());
        assertEquals(List.of("CAP_NET_ADMIN"), p.getCapabilities().getAmbient());
        assertEquals(Boolean.TRUE, p.getNoNewPrivileges());
        // the init's terminal is not the exec'd process's: only -t gives it one
        assertFalse(p.getTerminal());
    }

    @Test
    void withoutFlagsTheConfigsUserAndCwdStay() throws Exception {
        Process p = Exec.process(new Exec.Options(Path.of("/r"), "c", null, List.of("true"), List.of(), null, null,
                List.of(), List.of(), null, true, null, false, null, 0, false, null, null), base());
        assertEquals("/home", p.getCwd());
        assertEquals(10L, p.getUser().getUid());
        assertEquals(Boolean.TRUE, p.getTerminal());
    }

    @Test
    void badUserAndNoCommandAreUsageErrors() {
        assertThrows(UsageException.class, () -> Exec.process(options(List.of("true"), List.of(), null, "root",
                List.of(), null, null), base()));
        assertThrows(UsageException.class, () -> Exec.process(options(List.of(), List.of(), null, null,
                List.of(), null, null), base()));
    }
}
