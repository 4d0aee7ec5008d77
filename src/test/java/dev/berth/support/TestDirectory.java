package dev.berth.support;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A directory for berth's LDAP accounts: UnboundID's in-memory server, which speaks real LDAP on a loopback port
 * (plain, with StartTLS, or ldaps:// with a {@link TestCertificates} server certificate). Under
 * {@code dc=example,dc=org}: the service account {@code cn=berth} ({@link #SERVICE_PASSWORD}), the people alice (in
 * devs) and carol (in no group), the group devs. It counts binds by DN, can hold every request unanswered (a slow
 * directory), and stops and starts again on the same port; {@link #startChild} runs one in a JVM of its own.
 */
public final class TestDirectory implements AutoCloseable {
    public static final String BASE = "dc=example,dc=org";
    public static final String SERVICE_DN = "cn=berth," + BASE;
    public static final String SERVICE_PASSWORD = "service-secret";
    public static final String ALICE_PASSWORD = "alice in the directory";
    public static final String CAROL_PASSWORD = "carol in the directory";
    /**
     * The rest of an {@code auth} section after {@link #authLdapYaml}: every user may pull the private {@code team/*},
     * the directory group devs may push there.
     */
    public static final String DEVS_PUSH_RULES = """
              rules:
                - {repositories: ['team/*'], pull: ['*'], push: ['@devs']}
            private: {repositories: ['team/*']}
            """;
    private static final String LISTENING = "directory listening on ";

    /** How the directory listens. */
    public enum Transport { PLAIN, START_TLS, LDAPS }

    private final InMemoryDirectoryServer server;
    private final Transport transport;
    private final int port;
    private final Map<String, AtomicInteger> binds = new ConcurrentHashMap<>();
    private volatile CountDownLatch held;

    private TestDirectory(Transport transport, TestCertificates certs, int port) throws LDAPException, LDIFException {
        this.transport = transport;
        this.port = port;
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        config.setListenerConfigs(switch (transport) {
            case PLAIN -> InMemoryListenerConfig.createLDAPConfig("ldap", loopback, port, null);
            case START_TLS -> InMemoryListenerConfig.createLDAPConfig("ldap", loopback, port,
                    serverContext(certs).getSocketFactory());
            case LDAPS -> InMemoryListenerConfig.createLDAPSConfig("ldaps", loopback, port,
                    serverContext(certs).getServerSocketFactory(), null);
        });
        config.addInMemoryOperationInterceptor(new Interceptor());
        server = new InMemoryDirectoryServer(config);
        server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: ou=people," + BASE, "objectClass: organizationalUnit", "ou: people");
        server.add("dn: ou=groups," + BASE, "objectClass: organizationalUnit", "ou: groups");
        server.add("dn: " + SERVICE_DN, "objectClass: person", "cn: berth", "sn: berth",
                "userPassword: " + SERVICE_PASSWORD);
        addUser("alice", ALICE_PASSWORD);
        addUser("carol", CAROL_PASSWORD);
        server.add("dn: cn=devs,ou=groups," + BASE, "objectClass: groupOfNames", "cn: devs",
                "member: " + userDn("alice"));
        server.startListening();
    }

    /** A plain directory (ldap://) on a free loopback port, listening. */
    public static TestDirectory start() {
        return start(Transport.PLAIN, null);
    }

    /** A directory listening as {@code transport}, with {@code certs}' server certificate for TLS. */
    public static TestDirectory start(Transport transport, TestCertificates certs) {
        try {
            return new TestDirectory(transport, certs, FreePort.pick());
        } catch (LDAPException | LDIFException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A plain directory with the same entries in a JVM of its own, started through {@code prefix} (such as
     * {@link NetworkNamespace#prefix()}, for a berth that runs there) on loopback port {@code port}, its output in
     * {@code log}; stopped by closing it (by its PID), which is also how a test takes the directory down.
     */
    public static LoggedProcess startChild(List<String> prefix, int port, Path log) {
        List<String> command = ChildBerth.supportCommand(prefix, TestDirectory.class, Integer.toString(port));
        LoggedProcess child = LoggedProcess.start("the directory", command, log);
        child.awaitReady(Duration.ofSeconds(60), () -> readable(log).contains(LISTENING));
        return child;
    }

    /** Serves a plain directory on loopback port {@code args[0]} until the process ends: see {@link #startChild}. */
    public static void main(String[] args) throws LDAPException, LDIFException, InterruptedException {
        TestDirectory directory = new TestDirectory(Transport.PLAIN, null, Integer.parseInt(args[0]));
        System.out.println(LISTENING + directory.url());
        System.out.flush();
        Thread.currentThread().join();
    }

    private static String readable(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** The DN of the person {@code uid}. */
    public static String userDn(String uid) {
        return "uid=" + uid + ",ou=people," + BASE;
    }

    /** Adds the person {@code uid} with {@code password}. */
    public void addUser(String uid, String password) {
        try {
            server.add("dn: " + userDn(uid), "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid,
                    "sn: " + uid, "userPassword: " + password);
        } catch (LDAPException | LDIFException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes the person {@code uid}. */
    public void removeUser(String uid) {
        try {
            server.delete(userDn(uid));
        } catch (LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The URL berth's {@code auth.ldap.url} names. */
    public String url() {
        return (transport == Transport.LDAPS ? "ldaps" : "ldap") + "://127.0.0.1:" + port;
    }

    /**
     * berth's {@code auth.ldap} section for this directory (the service password written to {@code dir}), with the
     * groups under ou=groups, and {@code extra} lines (each like {@code "ca-file: /x"}) added.
     */
    public String authLdapYaml(Path dir, String... extra) {
        return authLdapYaml(url(), dir, extra);
    }

    /** As {@link #authLdapYaml(Path, String...)}, for the directory at {@code url} (one of {@link #startChild}). */
    public static String authLdapYaml(String url, Path dir, String... extra) {
        Path secret = dir.resolve("ldap.secret");
        try {
            Files.writeString(secret, SERVICE_PASSWORD + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder yaml = new StringBuilder("  ldap:\n")
                .append("    url: ").append(url).append('\n')
                .append("    bind-dn: '").append(SERVICE_DN).append("'\n")
                .append("    bind-password-file: '").append(secret).append("'\n")
                .append("    user-base: 'ou=people,").append(BASE).append("'\n")
                .append("    user-filter: '(uid={username})'\n")
                .append("    group-base: 'ou=groups,").append(BASE).append("'\n")
                .append("    group-filter: '(member={dn})'\n");
        for (String line : extra) {
            yaml.append("    ").append(line).append('\n');
        }
        return yaml.toString();
    }

    /** Binds as {@code dn} since the start, berth's service account's and failed ones included. */
    public int binds(String dn) {
        return binds.getOrDefault(dn, new AtomicInteger()).get();
    }

    /** From now on, binds and searches get no answer until {@link #answer()} (or close). */
    public void hold() {
        held = new CountDownLatch(1);
    }

    /** Answers what was held, and everything after. */
    public void answer() {
        CountDownLatch latch = held;
        held = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Stops listening and drops every connection: a directory that is down. */
    public void stop() {
        server.shutDown(false);
    }

    /** Listens again on the same port, with the same entries. */
    public void restart() {
        try {
            server.startListening();
        } catch (LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        answer();
        server.shutDown(true);
    }

    private final class Interceptor extends InMemoryOperationInterceptor {
        @Override
        public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) {
            binds.computeIfAbsent(request.getRequest().getBindDN(), dn -> new AtomicInteger()).incrementAndGet();
            waitIfHeld();
        }

        @Override
        public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
            waitIfHeld();
        }

        private void waitIfHeld() {
            CountDownLatch latch = held;
            if (latch != null) {
                try {
                    // Bounded, so a test that forgets to answer still ends.
                    latch.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A server TLS context with {@code certs}' server key and chain. */
    private static SSLContext serverContext(TestCertificates certs) {
        try (InputStream chain = Files.newInputStream(certs.chain())) {
            String pem = Files.readString(certs.key(), StandardCharsets.US_ASCII).replaceAll("-----[A-Z ]+-----", "")
                    .replaceAll("\\s", "");
            PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem));
            PrivateKey key;
            try {
                key = KeyFactory.getInstance("RSA").generatePrivate(spec);
            } catch (GeneralSecurityException notRsa) {
                key = KeyFactory.getInstance("EC").generatePrivate(spec);
            }
            Certificate[] certificates = CertificateFactory.getInstance("X.509").generateCertificates(chain)
                    .toArray(Certificate[]::new);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "test".toCharArray();
            store.setKeyEntry("server", key, password, certificates);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
