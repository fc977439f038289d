package io.jsyd.runtime.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyWireTest {
    private static final String TEXT = """
            sandbox/read,write,net:on
            default/write:kill
            timeout:1m30s
            allow/read+/usr/***
            deny/read+/etc/shadow
            allow/read-/usr/***
            allow/read+/**
            deny/net/connect+0.0.0.0/0!22
            allow/net/connect+10.0.0.0/8!1-1024
            warn/write+/tmp/**
            lock:on
            """;

    @Test
    void theDaemonRebuildsThePolicyWithEveryRulesOrigin() throws Exception {
        Policy sent = new PolicyParser().add(new PolicyText("annotation org.jsyd.policy in /b/config.json", TEXT,
                IncludeScope.forbidden())).build();
        PolicyWire.Encoded wire = PolicyWire.encode(sent);
        Policy got = PolicyWire.decode(wire);
        assertEquals(sent, got);
        assertEquals(new Origin("annotation org.jsyd.policy in /b/config.json", 7),
                got.rules(Category.READ).get(1).origin());
        assertEquals(Optional.of(new Origin("annotation org.jsyd.policy in /b/config.json", 11)), got.lockedAt());
    }

    @Test
    void thePtraceChecksAndLandlockTravelToo() throws Exception {
        Policy sent = PolicyParser.parse("p", "sandbox/read:on\nallow/read+/***\ntrace/allow_unsafe_memory:0\n"
                + "sandbox/tpe:on\nmem/max:64M\nsandbox/lock:on\nallow/lock/read+/usr\n");
        Policy got = PolicyWire.decode(PolicyWire.encode(sent));
        // the Landlock rules' origins stay behind: `create` plans Landlock, the daemon never does
        assertEquals(sent.trace(), got.trace());
        assertEquals(sent.limits(), got.limits());
        assertEquals(sent.rules(Category.READ), got.rules(Category.READ));
        assertEquals(true, got.trace().needsTracer());
        assertEquals(true, got.landlock().on());
    }

    @Test
    void originsThatDoNotFitTheTextAreRefused() throws Exception {
        PolicyWire.Encoded wire = PolicyWire.encode(PolicyParser.parse("p", "sandbox/read:on\nallow/read+/x\n"));
        assertThrows(PolicyException.class, () -> PolicyWire.decode(new PolicyWire.Encoded(wire.text(), List.of(),
                Optional.empty())));
        assertThrows(PolicyException.class, () -> PolicyWire.decode(new PolicyWire.Encoded(wire.text(),
                wire.ruleOrigins(), Optional.of(new Origin("p", 3)))));
    }
}
