namespace Reapd.Core.Cgroups;

/// <summary>
/// A cgroup path that lies inside a Kubernetes pod, as the kubelet names it with either cgroup driver:
/// systemd — /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod&lt;UID&gt;.slice/cri-containerd-&lt;id&gt;.scope
/// (burstable likewise, guaranteed pods directly under kubepods.slice; the UID's dashes become underscores);
/// cgroupfs — /kubepods/besteffort/pod&lt;UID&gt;/&lt;id&gt;, /kubepods/burstable/pod&lt;UID&gt;/&lt;id&gt;, /kubepods/pod&lt;UID&gt;/&lt;id&gt;.
/// The kubepods root may sit below another cgroup (a kind node, a nested runtime), so it is searched for anywhere.
/// </summary>
/// <param name="QosClass">From the slice or directory the pod sits in.</param>
/// <param name="PodPath">The pod's cgroup (everything up to and including the pod component).</param>
/// <param name="PodUid">The pod UID as the path spells it (underscores stay as the systemd driver wrote them).</param>
/// <param name="Container">The container's component below the pod, or null when the path is the pod itself.</param>
public readonly record struct KubePodPath(KubeQosClass QosClass, string PodPath, string PodUid, string? Container)
{
    /// <summary>Parses <paramref name="cgroupPath"/> ("/a/b/c"); false when it is not inside a kubepods pod.</summary>
    public static bool TryParse(string cgroupPath, out KubePodPath pod)
    {
        pod = default;
        string[] parts = cgroupPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i] == "kubepods.slice")
            {
                return TrySystemd(parts, i, out pod);
            }
            if (parts[i] == "kubepods")
            {
                return TryCgroupfs(parts, i, out pod);
            }
        }
        return false;
    }

    private static bool TrySystemd(string[] parts, int root, out KubePodPath pod)
    {
        pod = default;
        int i = root + 1;
        if (i >= parts.Length)
        {
            return false;
        }
        KubeQosClass qos = KubeQosClass.Guaranteed;
        string podPrefix = "kubepods-pod";
        if (parts[i] == "kubepods-besteffort.slice" || parts[i] == "kubepods-burstable.slice")
        {
            qos = parts[i] == "kubepods-besteffort.slice" ? KubeQosClass.BestEffort : KubeQosClass.Burstable;
            podPrefix = qos == KubeQosClass.BestEffort ? "kubepods-besteffort-pod" : "kubepods-burstable-pod";
            i++;
            if (i >= parts.Length)
            {
                return false;
            }
        }
        string component = parts[i];
        if (!component.StartsWith(podPrefix, StringComparison.Ordinal) || !component.EndsWith(".slice", StringComparison.Ordinal)
            || component.Length <= podPrefix.Length + ".slice".Length)
        {
            return false;
        }
        string uid = component[podPrefix.Length..^".slice".Length];
        pod = new KubePodPath(qos, Join(parts, i), uid, i + 1 < parts.Length ? parts[i + 1] : null);
        return true;
    }

    private static bool TryCgroupfs(string[] parts, int root, out KubePodPath pod)
    {
        pod = default;
        int i = root + 1;
        if (i >= parts.Length)
        {
            return false;
        }
        KubeQosClass qos = KubeQosClass.Guaranteed;
        if (parts[i] == "besteffort" || parts[i] == "burstable")
        {
            qos = parts[i] == "besteffort" ? KubeQosClass.BestEffort : KubeQosClass.Burstable;
            i++;
            if (i >= parts.Length)
            {
                return false;
            }
        }
        string component = parts[i];
        if (!component.StartsWith("pod", StringComparison.Ordinal) || component.Length <= 3)
        {
            return false;
        }
        pod = new KubePodPath(qos, Join(parts, i), component[3..], i + 1 < parts.Length ? parts[i + 1] : null);
        return true;
    }

    private static string Join(string[] parts, int last) => "/" + string.Join('/', parts, 0, last + 1);
}
