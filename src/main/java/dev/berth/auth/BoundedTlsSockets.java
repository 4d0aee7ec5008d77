package dev.berth.auth;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets to the directory whose handshake is bounded in time, for ldaps:// and StartTLS alike: the LDAP SDK would
 * wait for a handshake without a timeout, so a server that accepts connections but never speaks TLS would hold a login
 * for good. Each socket is connected within {@code connectMillis} and its handshake done within
 * {@code handshakeMillis} before the SDK sees it.
 */
final class BoundedTlsSockets extends SSLSocketFactory {
    private final SSLSocketFactory tls;
    /** The directory's host as auth.ldap.url names it: what the server's certificate is checked against (SNI). */
    private final String host;
    private final int connectMillis;
    private final int handshakeMillis;

    BoundedTlsSockets(SSLSocketFactory tls, String host, int connectMillis, int handshakeMillis) {
        this.tls = tls;
        this.host = host;
        this.connectMillis = connectMillis;
        this.handshakeMillis = handshakeMillis;
    }

    /** Refused, so that the SDK asks for a connected socket, whose handshake this class bounds, instead. */
    @Override
    public Socket createSocket() throws IOException {
        throw new SocketException("unconnected TLS sockets are not offered");
    }

    @Override
    public Socket createSocket(String address, int port) throws IOException {
        return connect(new InetSocketAddress(address, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return connect(new InetSocketAddress(address, port));
    }

    @Override
    public Socket createSocket(String address, int port, InetAddress localAddress, int localPort) throws IOException {
        throw new SocketException("a local address for the directory connection is not supported");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        throw new SocketException("a local address for the directory connection is not supported");
    }

    /** StartTLS: {@code plain}, already connected and past the StartTLS exchange, becomes a TLS socket. */
    @Override
    public Socket createSocket(Socket plain, String address, int port, boolean autoClose) throws IOException {
        return handshake(plain, port, autoClose);
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return tls.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return tls.getSupportedCipherSuites();
    }

    private Socket connect(InetSocketAddress address) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(address, connectMillis);
            return handshake(plain, address.getPort(), true);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private SSLSocket handshake(Socket plain, int port, boolean autoClose) throws IOException {
        int before = plain.getSoTimeout();
        plain.setSoTimeout(handshakeMillis);
        SSLSocket socket = (SSLSocket) tls.createSocket(plain, host, port, autoClose);
        socket.startHandshake();
        socket.setSoTimeout(before);
        return socket;
    }
}
