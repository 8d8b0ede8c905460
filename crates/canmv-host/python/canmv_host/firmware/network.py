"""``network`` on venc-sim: WLAN (station and access point) and LAN as CanMV scripts use them
(firmware facts §5), simulated on the host. Sockets are the host's own (``socket``), so a
server a script opens listens on the PC.

By default a station connects at once and reports the address ``canmv-run --ip`` gives
(127.0.0.1: the RTSP and socket servers of the script are then reachable from this PC).
``--wifi-delay SECONDS`` makes the connection take that long (``isconnected()`` False and
``ifconfig()[0]`` ``'0.0.0.0'`` meanwhile) and ``--wifi-fail`` makes every ``connect`` fail,
so a script's retry loop can be tested. ``scan()`` lists the networks of ``--wifi-ssid``.
A scenario's ``wifi`` step takes the network away (a connected station loses it, ``connect``
fails and ``scan`` finds nothing until it is back: the script must reconnect) and back.
"""


from canmv_host import env
from canmv_host.mpstr import c_bytes, c_str, strlen

STA_IF = 0
AP_IF = 1
LAN_RTL8152 = 2
LAN_ECM = 3

# The names the firmware exports (S `network_rt_smart.c`); the values are RT-Thread's
# `rt_wlan_security_t` flags as the simulator models them (D-045): scripts compare names.
SECURITY_OPEN = 0
SECURITY_WEP_PSK = 0x0001
SECURITY_WEP_SHARED = 0x8001
SECURITY_WPA_TKIP_PSK = 0x200002
SECURITY_WPA_TKIP_8021X = 0x80200002
SECURITY_WPA_AES_PSK = 0x200004
SECURITY_WPA_AES_8021X = 0x80200004
SECURITY_WPA2_AES_PSK = 0x400004
SECURITY_WPA2_AES_8021X = 0x80400004
SECURITY_WPA2_TKIP_PSK = 0x400002
SECURITY_WPA2_TKIP_8021X = 0x80400002
SECURITY_WPA2_MIXED_PSK = 0x400006
SECURITY_WPA_WPA2_MIXED_PSK = 0x600006
SECURITY_WPA_WPA2_MIXED_8021X = 0x80600006
SECURITY_WPA2_AES_CMAC = 0x400010
SECURITY_WPS_OPEN = 0x10000000
SECURITY_WPS_SECURE = 0x10000004
SECURITY_WPA3_AES_PSK = 0x800004
SECURITY_UNKNOWN = -1
BAND_5GHZ = 0
BAND_2_4GHZ = 1

_NO_ADDRESS = ("0.0.0.0", "0.0.0.0", "0.0.0.0", "0.0.0.0")
_MAX_SSID = 32
_KEY_MIN, _KEY_MAX = 8, 64
_DEVICES = {STA_IF: "w0", AP_IF: "w1", LAN_RTL8152: "u0", LAN_ECM: "u1"}
_state = {"default": "w0"}


def _settings():
    return env.NETWORK


def _address():
    ip = _settings()["ip"]
    gateway = ip.rsplit(".", 1)[0] + ".1"
    return (ip, "255.255.255.0", gateway, gateway)


def _mac(index):
    return bytes([0x02, 0x4B, 0x32, 0x30, 0x00, index])


class _Nic:
    """What every interface has: ``active``, ``ifconfig``, ``config``, ``status``."""

    _index = 0

    def __init__(self):
        self._static = None
        self._mac = _mac(self._index)
        self._extra = {"auto_reconnect": False}

    def _up(self):
        return True

    def active(self, *args):
        if args:
            print("Network (rt-smart) is always active and cannot be disabled.")
            return None
        return True

    def ifconfig(self, config=None):
        if config is None:
            if not self._up():
                return _NO_ADDRESS
            return self._static or _address()
        if config == "dhcp":
            self._static = None
            return True
        if isinstance(config, tuple) and len(config) == 4 and all(isinstance(a, str)
                                                                  for a in config):
            self._static = config
            return True
        return False

    def config(self, *args, **kwargs):
        if args:
            key = args[0]
            if key == "mac":
                return self._mac
            if key in self._extra:
                return self._extra[key]
            raise ValueError("unknown config param")
        for key, value in kwargs.items():
            if key == "mac":
                self._mac = bytes(value)
            elif key in self._extra:
                self._extra[key] = value
            else:
                raise ValueError("unknown config param")
        return None


class _ScanResult:
    """One ``scan()`` entry."""

    def __init__(self, ssid, index):
        self.ssid = ssid.encode()
        self.bssid = _mac(0x40 + index)
        self.channel = 1 + 5 * index % 13
        self.rssi = -40 - 7 * index
        self.security = SECURITY_WPA2_AES_PSK
        self.band = BAND_2_4GHZ
        self.hidden = 0

    def __repr__(self):
        return "<ScanResult ssid=%r rssi=%d channel=%d>" % (self.ssid, self.rssi, self.channel)


class _Station(_Nic):
    """``network.WLAN(network.STA_IF)``."""

    _index = STA_IF

    def __init__(self):
        super().__init__()
        self._ssid = None
        self._connected_at = None
        self._drops = 0

    def _up(self):
        net = _settings()
        if (net["link"] and net["drops"] != self._drops and self._ssid is not None
                and self._extra["auto_reconnect"]):
            # The driver reconnects by itself once the network is back (D-067).
            self._drops = net["drops"]
            self._connected_at = env.board_seconds() + net["delay"]
        return (self._connected_at is not None and env.board_seconds() >= self._connected_at
                and net["link"] and net["drops"] == self._drops)

    def connect(self, ssid=None, key=None, *, info=None):
        if ssid is None and info is None:
            raise OSError("should set ssid or ap")
        if info is not None:
            ssid = info.ssid
        _check_ssid(ssid)
        if key is not None:
            _check_key(key)
        ssid = c_str(ssid)
        if _settings()["fail"] or not _settings()["link"]:
            print("run connect failed.")
            return False
        self._drops = _settings()["drops"]
        self._ssid = ssid
        self._connected_at = env.board_seconds() + _settings()["delay"]
        return True

    def isconnected(self):
        return self._up()

    def disconnect(self):
        was = self._connected_at is not None
        self._connected_at = None
        self._ssid = None
        return was

    def status(self, param=None):
        if param is None:
            return self.isconnected()
        if param == "rssi":
            return -45 if self._up() else 0
        if param == "ap":
            return self._ssid if self._up() else None
        raise ValueError("unknown status param")

    def scan(self, ssid=None):
        if not _settings()["link"]:
            return []
        found = [_ScanResult(name, i) for i, name in enumerate(_settings()["ssids"])]
        if ssid is not None:
            want = ssid.encode() if isinstance(ssid, str) else bytes(ssid)
            found = [f for f in found if f.ssid == want]
        return found


def _check_ssid(ssid):
    """RT-Smart netmgmt's check: 1–32 bytes by ``strlen`` (oldgen facts §5.3)."""
    if not 0 < strlen(ssid) <= _MAX_SSID:
        raise OSError("SSID can't be empty, and can't longer than %d" % _MAX_SSID)


def _check_key(key):
    """8–64 bytes by ``strlen``: a key of 6 Chinese characters is 18 bytes, accepted."""
    n = strlen(key)
    if not _KEY_MIN <= n <= _KEY_MAX:
        raise OSError("Key length(%d) should be %d - %d" % (n, _KEY_MIN, _KEY_MAX))


class _AccessPoint(_Nic):
    """``network.WLAN(network.AP_IF)``: the AP starts with ``config(ssid=, key=)``."""

    _index = AP_IF

    def __init__(self):
        super().__init__()
        self._ssid = None
        self._extra["country"] = "CN"

    def _up(self):
        return self._ssid is not None

    def config(self, *args, **kwargs):
        if args and args[0] == "info":
            return {"ssid": self._ssid, "security": SECURITY_WPA2_AES_PSK, "channel": 6}
        ssid, key = kwargs.pop("ssid", None), kwargs.pop("key", None)
        info = kwargs.pop("info", None)
        if ssid is not None or info is not None:
            if key is None:
                raise OSError("should set key")
            if ssid is None:
                raise OSError("SSID can't be empty, and can't longer than %d" % _MAX_SSID)
            _check_ssid(ssid)
            _check_key(key)
            ssid = c_str(ssid)
            if _settings()["fail"]:
                print("start ap failed.")
                return False
            self._ssid = ssid
            if not kwargs and not args:
                return True
        return super().config(*args, **kwargs)

    def info(self):
        return self.config("info")

    def stop(self):
        was = self._ssid is not None
        self._ssid = None
        return was

    def status(self, param=None):
        if param is None:
            return self._up()
        if param == "stations":
            return []
        raise ValueError("unknown status param")

    def disconnect(self, mac):
        return False

    def isconnected(self):
        raise OSError("ap mode not support connect")

    def connect(self, *args, **kwargs):
        raise OSError("ap mode not support connect")

    def scan(self, *args):
        raise OSError("ap mode not support scan")


class _Lan(_Nic):
    """``network.LAN()``: a wired interface, up from the start."""

    def __init__(self, itf):
        self._index = itf
        super().__init__()

    def isconnected(self):
        return True

    def status(self, param=None):
        return True


_NICS = {}


def WLAN(itf=STA_IF):
    """The one station (``STA_IF``) or access-point interface."""
    itf = int(itf)
    if itf not in _NICS:
        _NICS[itf] = _Station() if itf == STA_IF else _AccessPoint()
    return _NICS[itf]


def LAN(itf=LAN_RTL8152):
    """The wired interface: ``LAN_RTL8152`` (2) or ``LAN_ECM`` (3)."""
    if itf not in (LAN_RTL8152, LAN_ECM):
        raise TypeError("Unsupport type")
    key = ("lan", itf)
    if key not in _NICS:
        _NICS[key] = _Lan(itf)
    return _NICS[key]


def get_dev_list():
    return ["w0", "w1"]


def set_default_dev(name):
    if not isinstance(name, (str, bytes)) or not 0 < len(c_bytes(name)) < 32:
        raise ValueError("invalid device name")
    name = c_str(name)
    if name not in _DEVICES.values():
        print("run set default netdev failed.")
        return False
    _state["default"] = name
    return True


def get_default_dev():
    return _state["default"]
