package dev.berth.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DnsMembershipTest {
    @Test
    void eachAddressOfTheNameIsAMemberWithTheUrlsPortAndTheLastStayWhileTheNameDoesNotResolve() throws Exception {
        AtomicReference<List<InetAddress>> records = new AtomicReference<>(List.of(
                InetAddress.getByName("10.0.0.2"), InetAddress.getByName("10.0.0.1"),
                InetAddress.getByName("fd00::3")));
        DnsMembership members = new DnsMembership(URI.create("http://tasks.berth:5000"), host -> {
            assertEquals("tasks.berth", host);
            List<InetAddress> now = records.get();
            if (now == null) {
                throw new UnknownHostException(host);
            }
            return now;
        });
        assertEquals(List.of(), members.members());

        members.refresh();
        assertEquals(List.of(URI.create("http://10.0.0.1:5000"), URI.create("http://10.0.0.2:5000"),
                URI.create("http://[fd00:0:0:0:0:0:0:3]:5000")), members.members());

        records.set(null);
        members.refresh();
        assertEquals(3, members.members().size());

        records.set(List.of(InetAddress.getByName("10.0.0.4")));
        members.refresh();
        assertEquals(List.of(URI.create("http://10.0.0.4:5000")), members.members());
    }
}
