package io.jsyd.runtime.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class NetMatchTest {
    static PolicyMatcher matcher(String text) {
        try {
            return PolicyParser.parse("t", text).compile();
        } catch (PolicyException e) {
            throw new AssertionError(e.lines().toString(), e);
        }
    }

    static Action connect(PolicyMatcher m, String ip, int port) {
        return m.decideAddress(Category.NET_CONNECT, ip(ip), port).action();
    }

    static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void prefixAndPort() {
        PolicyMatcher m = matcher("""
                sandbox/net:on
                default/net/connect:allow
                deny/net/connect+0.0.0.0/0!22
                deny/net/connect+10.0.0.0/8!0-65535
                allow/net/connect+10.1.0.0/16!443
                """);
        assertEquals(Action.DENY, connect(m, "8.8.8.8", 22));
        assertEquals(Action.ALLOW, connect(m, "8.8.8.8", 23));
        assertEquals(Action.DENY, connect(m, "10.200.0.1", 80));
        assertEquals(Action.ALLOW, connect(m, "10.1.2.3", 443));
        assertEquals(Action.DENY, connect(m, "10.1.2.3", 444));
        assertEquals(Action.DENY, connect(m, "10.1.2.3", 22));
        assertEquals(Action.ALLOW, connect(m, "11.0.0.1", 80));
    }

    @Test
    void rangesListsAndExactAddresses() {
        PolicyMatcher m = matcher("""
                sandbox/net/bind:on
                allow/net/bind+::1!8000-8080
                allow/net/bind+127.0.0.1!80,443,9000-9001
                """);
        for (int port : new int[] {8000, 8042, 8080}) {
            assertEquals(Action.ALLOW, m.decideAddress(Category.NET_BIND, ip("::1"), port).action());
        }
        assertEquals(Action.DENY, m.decideAddress(Category.NET_BIND, ip("::1"), 7999).action());
        assertEquals(Action.DENY, m.decideAddress(Category.NET_BIND, ip("::1"), 8081).action());
        assertEquals(Action.DENY, m.decideAddress(Category.NET_BIND, ip("::2"), 8000).action());
        for (int port : new int[] {80, 443, 9000, 9001}) {
            assertEquals(Action.ALLOW, m.decideAddress(Category.NET_BIND, ip("127.0.0.1"), port).action());
        }
        assertEquals(Action.DENY, m.decideAddress(Category.NET_BIND, ip("127.0.0.2"), 80).action());
        assertEquals(Action.DENY, m.decideAddress(Category.NET_BIND, ip("127.0.0.1"), 8999).action());
    }

    @Test
    void ipv6Prefixes() {
        PolicyMatcher m = matcher("""
                sandbox/net/connect:on
                allow/net/connect+2001:db8::/32!443
                deny/net/connect+2001:db8:bad::/48!443
                allow/net/connect+fe80::/10!0-65535
                allow/net/connect+2001:db8:0:0:1::/65!1
                """);
        assertEquals(Action.ALLOW, connect(m, "2001:db8:1::5", 443));
        assertEquals(Action.DENY, connect(m, "2001:db8:bad:1::5", 443));
        assertEquals(Action.DENY, connect(m, "2001:db9::1", 443));
        assertEquals(Action.ALLOW, connect(m, "febf::1", 7));
        assertEquals(Action.DENY, connect(m, "fec0::1", 7));
        // /65 reaches one bit into the low half.
        assertEquals(Action.ALLOW, connect(m, "2001:db8::1:0:0:1", 1));
        assertEquals(Action.ALLOW, connect(m, "2001:db8::7fff:0:0:1", 1));
        assertEquals(Action.DENY, connect(m, "2001:db8::8000:0:0:1", 1));
    }

    @Test
    void familiesStaySeparateButMappedAddressesAreIpv4() throws UnknownHostException {
        PolicyMatcher m = matcher("""
                sandbox/net/connect:on
                allow/net/connect+::/0!443
                deny/net/connect+0.0.0.0/0!80
                allow/net/connect+10.0.0.0/8!80
                """);
        // An IPv6 rule does not open IPv4, even ::/0.
        assertEquals(Action.DENY, connect(m, "1.2.3.4", 443));
        assertEquals(Action.ALLOW, connect(m, "2001:db8::1", 443));
        // ::ffff:10.0.0.1 reaches 10.0.0.1: the IPv4 rules decide.
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = 10;
        mapped[15] = 1;
        assertEquals(Action.ALLOW, m.decideAddress(Category.NET_CONNECT, mapped, 80).action());
        mapped[12] = 11;
        assertEquals(Action.DENY, m.decideAddress(Category.NET_CONNECT, mapped, 80).action());
        assertEquals(Action.DENY, m.decideAddress(Category.NET_CONNECT, mapped, 443).action());
        // Written as a mapped literal, a rule is an IPv4 rule.
        PolicyMatcher literal = matcher("sandbox/net/connect:on\nallow/net/connect+::ffff:10.0.0.0/104!1");
        assertEquals(Action.ALLOW, connect(literal, "10.9.9.9", 1));
        assertEquals(Action.DENY, connect(literal, "11.9.9.9", 1));
    }

    @Test
    void aliases() {
        PolicyMatcher m = matcher("sandbox/net/connect:on\nallow/net/connect+loopback!53\nallow/net/connect+any6!80");
        assertEquals(Action.ALLOW, connect(m, "127.0.0.53", 53));
        assertEquals(Action.ALLOW, connect(m, "::1", 53));
        assertEquals(Action.DENY, connect(m, "::2", 53));
        assertEquals(Action.ALLOW, connect(m, "2001:db8::1", 80));
        assertEquals(Action.DENY, connect(m, "1.1.1.1", 80));
        PolicyMatcher any = matcher("sandbox/net/connect:on\ndefault/net/connect:kill\nwarn/net/connect+any!0-65535");
        assertEquals(Action.WARN, connect(any, "1.1.1.1", 1));
        assertEquals(Action.WARN, connect(any, "::", 65535));
    }

    @Test
    void lastMatchingRuleWinsAndItsOriginIsKept() {
        PolicyMatcher m = matcher("""
                sandbox/net/connect:on
                allow/net/connect+0.0.0.0/0!0-65535
                deny/net/connect+192.168.0.0/16!0-65535
                allow/net/connect+192.168.1.10!5432
                """);
        Decision d = m.decideAddress(Category.NET_CONNECT, ip("192.168.1.10"), 5432);
        assertEquals(Action.ALLOW, d.action());
        assertEquals(4, d.rule().orElseThrow().origin().line());
        assertEquals(3, m.decideAddress(Category.NET_CONNECT, ip("192.168.1.10"), 5433).rule().orElseThrow()
                .origin().line());
        assertEquals(2, m.decideAddress(Category.NET_CONNECT, ip("8.8.4.4"), 53).rule().orElseThrow()
                .origin().line());
    }

    @Test
    void unixSocketsByPathAndAbstractName() {
        PolicyMatcher m = matcher("""
                sandbox/net:on
                allow/net/connect+/run/dbus/*
                allow/net/connect+@/tmp/.X11-unix/X*
                allow/net/sendfd+/run/app/***
                allow/net/bind+@app-*
                """);
        assertEquals(Action.ALLOW, m.decideSocket(Category.NET_CONNECT, "/run/dbus/system_bus_socket").action());
        assertEquals(Action.DENY, m.decideSocket(Category.NET_CONNECT, "/run/other").action());
        assertEquals(Action.ALLOW, m.decideSocket(Category.NET_CONNECT, "@/tmp/.X11-unix/X0").action());
        assertEquals(Action.DENY, m.decideSocket(Category.NET_CONNECT, "/tmp/.X11-unix/X0").action());
        assertEquals(Action.ALLOW, m.decideSocket(Category.NET_SENDFD, "/run/app/ctl.sock").action());
        assertEquals(Action.DENY, m.decideSocket(Category.NET_SENDFD, "/run/dbus/system_bus_socket").action());
        assertEquals(Action.ALLOW, m.decideSocket(Category.NET_BIND, "@app-1").action());
        assertEquals(Action.DENY, m.decideSocket(Category.NET_BIND, "@other").action());
        // Address rules and socket rules do not see each other's queries.
        assertEquals(Action.DENY, m.decideAddress(Category.NET_CONNECT, ip("127.0.0.1"), 80).action());
        assertThrows(IllegalArgumentException.class, () -> m.decideSocket(Category.NET_CONNECT, "/run/../x"));
    }

    @Test
    void categoryOffAllowsAndBadQueriesAreRefused() {
        PolicyMatcher m = matcher("sandbox/net/bind:on\ndeny/net/connect+0.0.0.0/0!0-65535");
        assertEquals(Action.ALLOW, connect(m, "1.2.3.4", 5));
        assertThrows(IllegalArgumentException.class,
                () -> m.decideAddress(Category.NET_BIND, new byte[5], 1));
        assertThrows(IllegalArgumentException.class,
                () -> m.decideAddress(Category.NET_BIND, new byte[4], 65536));
    }
}
