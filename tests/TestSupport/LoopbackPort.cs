namespace SmallLlm.Eval.TestSupport;

/// <summary>A TCP port on 127.0.0.1 that nothing listens on right now (for a server that must come back on the same port).</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
