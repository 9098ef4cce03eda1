"""The detector catalog, as data: one row per detector.

A row names the type it reports, a regular expression written in the common subset of RE2 and
Python ``re`` syntax (no look-around, no back-references), optional lower-case literal hints (a
cheap prefilter: the pattern cannot match a text that holds none of them) and an optional
validator name from :data:`tftsr_kernel.pii.validators.VALIDATORS`. The value is the named group
``v`` (or ``v2``, ``v3`` for alternatives); without one, the whole match. Adding a type is adding
a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TYPES: tuple[str, ...] = (
    "EMAIL", "IPV4", "IPV6", "MAC", "HOSTNAME", "USERNAME", "PHONE", "CREDIT_CARD", "IBAN", "SSN",
    "URL_CREDENTIALS", "PASSWORD", "BEARER_TOKEN", "JWT", "PRIVATE_KEY", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
    "GITHUB_TOKEN", "GITLAB_TOKEN", "SLACK_TOKEN", "STRIPE_KEY", "GOOGLE_API_KEY", "OPENAI_KEY",
    "ANTHROPIC_KEY", "API_KEY", "GENERIC_SECRET",
)
SECRET_TYPES: frozenset[str] = frozenset(TYPES[TYPES.index("URL_CREDENTIALS"):])
PII_TYPES: frozenset[str] = frozenset(TYPES) - SECRET_TYPES


@dataclass(frozen=True)
class Detector:
    """One row of the catalog. ``priority`` breaks ties between equally long overlapping spans
    (lower wins): a vendor key beats the keyword rule that also matched it."""

    name: str
    type: str
    pattern: str
    hints: tuple[str, ...] = ()
    validator: str | None = None
    min_entropy: float = 0.0
    priority: int = 50
    description: str = ""
    value_groups: tuple[str, ...] = field(default=("v", "v2", "v3"))
    allow: tuple[str, ...] = ()  # regexes: a value matching one is not reported (gitleaks allowlists)
    allow_match: tuple[str, ...] = ()  # ... nor one whose whole match does (gitleaks' regexTarget "match")
    allow_line: tuple[str, ...] = ()  # ... nor one whose line(s) do (regexTarget "line")
    #: how far (characters) a match may reach before or after one of its hints; the engine runs a
    #: hinted detector only inside such windows around the hints it finds
    reach: int = 4096
    #: every match holds one of the hints (the catalog's rows promise it; a test checks it). A gitleaks
    #: rule's or a profile's keywords need only be somewhere in the text: ``False``
    hints_in_match: bool = True


# left and right boundaries: a consumed character that is not part of a token (RE2 has no look-around)
_L = r"(?:^|[^A-Za-z0-9_])"
_R = r"(?:[^A-Za-z0-9_]|$)"
_R_B64 = r"(?:[^A-Za-z0-9_+/=-]|$)"

# key / separator / opening quote of a keyword assignment: password=..., "token": "...", X-Api-Key: ...,
# $cfg['password'] = '...', the end of an XML start tag: <password>...</password> (validators require
# the end tag after the value), or the glue of a name/value pair (Kubernetes env, ECS, SSM, CloudFormation):
# {"name": "DB_PASSWORD", "value": "..."}, {"ParameterKey": "DbPassword", "ParameterValue": "..."} and
# "- name: DB_PASSWORD" then "value: ..." on the next line
_SEP = (r"""(?:(?:\\{0,3}["'])?\]?[ \t]{0,3}(?:=>|:=|[:=])[ \t]{0,3}(?:\\{0,3}["'`])?|>"""
        r"""|["'][ \t]{0,3},[ \t]{0,3}["'](?:parameter)?value["'][ \t]{0,3}:[ \t]{0,3}["']?"""
        r"""|["']?[ \t]{0,3}\r?\n[ \t]{0,16}value:[ \t]{0,3}["']?)""")


def keyword_assignment(keywords: str, value: str = r"[^\s\"'`,;<>\\]+", suffix: str = "", short: str = "",
                       sep: str = _SEP, flag: str = "") -> str:
    """A pattern for ``KEYWORD <sep> VALUE`` where the value is group ``v``; ``suffix`` may follow the
    keyword inside the name (``SECRET_KEY_BASE``).

    ``keywords`` may end a longer name (``dbPassword``, ``PGPASSWORD``, ``stripeApiKey``,
    ``oauthClientSecret``): a name that *ends* in one of them and is directly followed by a separator
    names that kind of value, whatever prefix it has. ``short`` keywords (``pass``, ``pwd``) end too
    many other words (``bypass``, ``compass``) and must start the name. An XML element of that name
    holds the value too (``<dbPassword>...</dbPassword>``: the separator is the start tag's ``>``).
    ``flag`` names command-line options whose value follows a space (``--client-secret X``).

    The value stays the pattern's one trailing run (the structural prefilter matches a trailing run
    at its minimum length; a run inside an alternation would be reported at every character)."""
    start = f"(?:{keywords})" if not short else f"(?:(?:^|[^a-z0-9])(?:{short})|{keywords})"
    key = f"{start}{suffix}{sep}"
    if flag:
        key = rf"(?:{key}|--(?:[a-z0-9]{{1,16}}-){{0,2}}(?:{flag})[ \t]{{1,3}}[\"']?)"
    return rf"(?i){key}(?P<v>{value})"


_TOKEN_VALUE = r"[A-Za-z0-9._~+/-]{12,}={0,3}"  # noqa: S105 - a pattern
# what may follow a keyword inside an environment-style name: DB_PASSWORD_PROD, SECRET_KEY_V2, API_KEY_2
_ENV_SUFFIX = r"(?:[_-](?:prod|production|dev|stg|staging|test|live|primary|secondary|old|new|[0-9]{1,2}|v[0-9]))?"

_IPV6 = r"(?:^|[^0-9A-Za-z:.])(?P<v>[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){3,7}(?:\.[0-9]{1,3}){0,3})"

DETECTORS: tuple[Detector, ...] = (
    # ---- PII
    Detector("email", "EMAIL",
             r"(?:^|[^A-Za-z0-9._%+-])(?P<v>[A-Za-z0-9._%+-]+(?:@|%40)(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})"
             r"(?:[^A-Za-z0-9-]|$)",
             hints=("@", "%40"), validator="email", priority=25, description="e-mail address (also %40 form)"),
    Detector("ipv4", "IPV4", r"(?P<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3})", validator="ipv4", priority=30,
             description="dotted-quad IPv4 address, octets 0-255, not part of a longer version string"),
    Detector("ipv6", "IPV6", _IPV6,
             hints=(":",), validator="ipv6", priority=30, description="IPv6 address (checked by ipaddress)"),
    Detector("mac", "MAC",
             r"(?P<v>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}"
             r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})",
             validator="mac", priority=30, description="MAC address (colon, dash or Cisco dotted form)"),
    Detector("phone_international", "PHONE", r"(?P<v>\+[1-9](?:[ .()-]{0,2}[0-9]){6,14})", hints=("+",),
             validator="phone", priority=35, description="+CC phone number, checked by phonenumbers"),
    Detector("phone_nanp", "PHONE", r"(?P<v>\([0-9]{3}\) ?[0-9]{3}[-. ][0-9]{4}|[0-9]{3}[-.][0-9]{3}[-.][0-9]{4})",
             validator="phone", priority=35, description="North American phone number format"),
    Detector("phone_keyword", "PHONE",
             r"(?i)(?:phone|tel|mobile|cell|fax|sms|whatsapp)(?:[_ -]?(?:no|number|num|nr))?\W{0,4}"
             r"(?P<v>\+?[0-9][0-9 ().-]{5,}[0-9])",
             hints=("phone", "tel", "mobile", "cell", "fax", "sms", "whatsapp"), validator="phone", priority=35,
             description="number after a phone keyword"),
    Detector("credit_card", "CREDIT_CARD", r"(?:^|[^0-9A-Za-z_.-])(?P<v>[0-9](?:[ -]?[0-9]){12,})",
             validator="luhn", priority=28, description="card number: issuer prefix, grouping and Luhn"),
    Detector("iban", "IBAN", r"(?:^|[^A-Za-z0-9])(?P<v>[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)",
             validator="iban", priority=28, description="IBAN: per-country length and mod-97"),
    Detector("ssn", "SSN", r"(?:^|[^0-9A-Za-z_.:/-])(?P<v>[0-9]{3}-[0-9]{2}-[0-9]{4})(?:[^0-9A-Za-z_-]|$)",
             validator="ssn", priority=28, description="US SSN (area/group/serial rules)"),
    Detector("ssn_keyword", "SSN",
             r"(?i)(?:ssn|social[ _-]?security(?:[ _-]?(?:number|no))?)\W{0,4}"
             r"(?P<v>[0-9]{9}|[0-9]{3} [0-9]{2} [0-9]{4})(?:[^0-9]|$)",
             hints=("ssn", "social"), validator="ssn", priority=28,
             description="nine digits after an SSN keyword"),
    Detector("username_phrase", "USERNAME",
             # the value run stays last: the structural prefilter shortens only a pattern's trailing run
             r"(?i)user \"(?P<v2>[^\"\s]{1,64})\"(?::? password mismatch| was not found)"
             r"|(?:(?:invalid|illegal) user|failed (?:password|publickey|none) for(?: invalid user)?"
             r"|accepted [a-z-]+ for|session (?:opened|closed) for user|for user|by user|of user|user name"
             r"|(?:create|alter|drop|rename) user(?: if (?:not )?exists)?)"
             r" [\"']?(?P<v>[A-Za-z0-9._$@\\-]+)",
             hints=("user", "accepted", "failed"), validator="username", priority=60,
             description="user named by sshd/PAM/systemd/database/nginx auth log phrases (quoted or not)"),
    Detector("username_sudo", "USERNAME",
             r"(?i:by) (?P<v>[A-Za-z0-9._$@\\-]{1,64})\(uid=[0-9]"
             r"|sudo(?:\[[0-9]{1,10}\])?:[ \t]{1,8}(?P<v2>[A-Za-z0-9._$@\\-]{1,64}) : "
             r"|(?:^|[\s=])(?P<v3>[A-Za-z0-9._$@\\-]{1,64}) : (?:[^\n;]{1,80} ; )?TTY=",
             hints=("uid=", "sudo", "tty="), validator="username", priority=60,
             description="sudo's 'sudo: USER : TTY=...' (also without its tag: journal MESSAGE=) and PAM's "
                         "'by USER(uid=N)'"),
    Detector("username_credentials", "USERNAME",
             r"(?i)[a-z][a-z0-9+.-]+://(?P<v>[^\s:/\"'<>]+):[^\s@/\"'<>]+@"
             r"|(?:^|[ \t])(?:-u|--(?:proxy-)?user)[ =][\"']?(?P<v2>[^\s:\"']+):(?:[^/]|$)"
             r"|(?:^|[\s\"'=])(?P<v3>[A-Za-z0-9_.-]{1,64}):[^\s@/\"'<>]{1,128}@(?:tcp|udp|unix)\(",
             hints=("://", "-u", "--user", "@tcp(", "@udp(", "@unix("), validator="username", priority=60,
             description="user part of scheme://user:password@host, curl -u/-U/--proxy-user user:password and a Go DSN "
                         "user:password@tcp(host)/db"),
    Detector("username_assignment", "USERNAME",
             r"(?i)(?:^|[^a-z0-9])(?:user|username|user_name|user id|ruser|logname|login|uname|db_user|acct)"
             r"(?:\\?[\"'])?\s{0,2}[=:]\s{0,2}(?:\\?[\"'])?(?P<v>[A-Za-z0-9._$@\\-]+)",
             hints=("user", "logname", "login", "uname", "acct"), validator="username", priority=60,
             description="user=X, username: X, User Id=X (connection strings), acct=X (audit)"),
    Detector("username_record", "USERNAME",
             r"(?i)<(?:user|username|user_name|login)>(?P<v>[^<>\s]{1,64})</"
             r"|(?i:Name=[\"'](?:Target|Subject)?User(?:Name)?[\"']>)(?P<v2>[^<>\s]{1,64})<"
             r"|User[{(\[](?:[^{}()\[\]\n]{0,80}?[ ,])?name[=:][ \t]?[\"']?(?P<v3>[A-Za-z0-9._$@\\-]{1,64})[\"',)}\]]"
             r"|[\"']name[\"'][ \t]{0,3}:[ \t]{0,3}[\"'](?P<v4>[A-Za-z0-9._$@\\-]{1,64})[\"'][ \t]{0,3},[ \t]{0,3}"
             r"[\"'](?:password|passwd)[\"']",
             hints=("user>", "name>", "login>", "user'>", 'user">', "name'>", 'name">', "user{", "user(", "user[",
                    "password", "passwd"), validator="username", priority=60, value_groups=("v", "v2", "v3", "v4"),
             description="the user of a record: <user>X</user>, Windows event data "
                         "<Data Name='TargetUserName'>X</Data>, a User{name='X'} / User(name='X') repr, "
                         "{'name': 'X', 'password': ...}"),
    Detector("username_command", "USERNAME",
             r"(?:^|[\s;|&(\\\"'])(?:ssh|scp|sftp|rsync|mosh) (?:[^\n]{0,200}?[ \t])?"
             r"(?P<v>[A-Za-z0-9._-]{1,32})@[A-Za-z0-9]"
             r"|(?:[a-z][a-z0-9-]{1,15}(?: registry)? login"
             r"|mysql(?:dump|admin|import|check)?|psql|pg_dump|pg_restore|sqlcmd|mongosh|mongo|redis-cli)"
             r" (?:[^\n]{0,200}?[ \t])?(?:-[uU]|--user(?:name)?)[ =]?[\"']?(?P<v2>[A-Za-z0-9._$@\\-]{1,64})"
             r"|New-Object[ \t]+(?:System\.Management\.Automation\.)?PSCredential[ \t]*\(?[ \t]*"
             r"[\"'](?P<v3>[^\"'\s]{1,64})[\"']"
             r"|/user:(?:[A-Za-z0-9._-]{1,64}\\)?(?P<v4>[A-Za-z0-9._$@-]{1,64})",
             hints=("ssh ", "scp ", "sftp ", "rsync ", "mosh ", "login ", "mysql", "psql ", "pg_dump ", "pg_restore ",
                    "sqlcmd ", "mongo", "redis-cli ", "pscredential", "/user:"), validator="username", priority=60,
             value_groups=("v", "v2", "v3", "v4"),
             description="the user of a command line: ssh/scp USER@host, docker login/mysql/psql -u USER, "
                         "PowerShell PSCredential('USER', ...), net use /user:DOMAIN\\USER"),
    Detector("hostname", "HOSTNAME",
             r"(?:^|[^A-Za-z0-9@._/-]|//|@)(?P<v>(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.){1,12}"
             r"(?i:com|net|org|edu|gov|mil|int|io|co|ai|app|dev|cloud|info|biz|me|tv|us|uk|de|fr|nl|be|es|it"
             r"|ch|at|se|no|dk|fi|ie|pt|gr|cz|hu|ro|bg|ru|ua|cn|jp|kr|in|au|nz|ca|br|mx|ar|cl|za|sg|hk|tw|my"
             r"|th|vn|id|ph|tr|il|ae|sa|eg|ng|ke|eu|asia|online|site|tech|xyz|top|local|internal|corp|lan"
             r"|intra|intranet|localdomain|home|arpa|svc|cluster))(?:[^A-Za-z0-9_-]|$)",
             validator="hostname", priority=70,
             description="fully qualified host name (not a class, file or version name)"),
    # the whole header is the match (no group: RE2 then needs no submatch pass, a third of its cost on
    # syslog, where every line has one); the validator cuts the host field out of it
    Detector("hostname_syslog", "HOSTNAME",
             r"(?m)^(?:<[0-9]{1,3}>)?[A-Z][a-z]{2} [ 0-3]?[0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}"
             r" [A-Za-z0-9][A-Za-z0-9._-]{0,62} [^\s:\[\]]{1,64}(?:\[[0-9]{1,10}\])?:",
             validator="syslog_host", priority=70,
             description="the host field of a syslog line (Mmm dd hh:mm:ss HOST tag[pid]:), dotted or not"),
    Detector("hostname_url", "HOSTNAME",
             r"(?i)[a-z][a-z0-9+.-]{1,15}://(?:[^\s:/@\"'<>]+(?::[^\s/@\"'<>]*)?@)?"
             r"(?P<v>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:[:/?#\s\"'<>\])]|$)",
             hints=("://",), validator="host_label", priority=70,
             description="a single-label host of a URL (hdfs://namenode-2:9000, http://db01/)"),
    Detector("username_log_prefix", "USERNAME",
             r"(?m)^\S+ \S+ (?P<v>[^\s\[\]\"-][^\s\[\]\"]{0,63}) \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:"
             r"|\[[0-9]{1,10}\] (?P<v2>[A-Za-z0-9_.$-]{1,63})@[A-Za-z0-9_.$-]{1,63}"
             r" (?:LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DETAIL|HINT|STATEMENT|DEBUG[1-5]?):",
             validator="username", priority=60, value_groups=("v", "v2"),
             description="the authenticated user of an access log line (host ident USER [date]) and of a "
                         "Postgres line prefix ([pid] USER@db LEVEL:)"),
    Detector("username_home", "USERNAME",
             r"(?:^|[\s\"'=:(\[,])(?i:/home/|/Users/|/export/home/|[A-Z]:\\{1,2}Users\\{1,2})"
             r"(?P<v>[A-Za-z0-9._$-]{1,64})(?:[/\\\s\"':;,)\]]|$)",
             hints=("/home/", "/users/", "\\users"), validator="home_user", priority=60,
             description="the user of a home directory path (/home/X/, /Users/X/, C:\\Users\\X\\)"),
    # ---- secrets with a recognisable shape
    Detector("private_key_pem", "PRIVATE_KEY",
             r"(?P<v>-----BEGIN[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----(?s:.)*?"
             r"-----END[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----)",
             hints=("-----begin",), validator="pem", priority=5, reach=32768,
             description="PEM private key block, real or \\n-escaped lines, BEGIN/END labels equal"),
    Detector("private_key_unterminated", "PRIVATE_KEY",
             r"(?P<v>-----BEGIN[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----(?:\\[rn]|[\r\n \t])*"
             r"(?:[A-Za-z0-9+/=]{8,}(?:\\[rn]|\r?\n)?)+)",
             hints=("-----begin",), priority=6, reach=32768,
             description="PEM private key whose END line is missing (truncated log)"),
    # a PEM private key base64-encoded whole: the encoding of "-----BEGIN <label> PRIVATE KEY-----" is fixed
    Detector("private_key_base64", "PRIVATE_KEY",
             r"(?:^|[^A-Za-z0-9+/])(?P<v>LS0tLS1CRUdJTiB(?:SU0EgUFJJVkFURSBLRVkt|QUklWQVRFIEtFWS0t|FQyBQUklWQVRFIEtFWS0t"
             r"|PUEVOU1NIIFBSSVZBVEUgS0VZLS0t|EU0EgUFJJVkFURSBLRVkt|FTkNSWVBURUQgUFJJVkFURSBLRVkt)[A-Za-z0-9+/]{40,}={0,2})"
             + _R_B64,
             hints=("ls0tls1crudjtib",), priority=5,
             description="base64 of a whole PEM private key (kubeconfig client-key-data, a TLS Secret's tls.key)"),
    Detector("aws_access_key", "AWS_ACCESS_KEY", _L + r"(?P<v>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16})" + _R,
             hints=("akia", "asia", "abia", "acca", "a3t"), validator="vendor_key", priority=10,
             description="AWS access key id"),
    Detector("aws_secret_key", "AWS_SECRET_KEY",
             keyword_assignment(r"aws[_-]?secret(?:[_-]?access)?[_-]?key|secret[_-]?access[_-]?key|aws[_-]?secret",
                                r"[A-Za-z0-9/+]{40}", sep=f"(?:{_SEP}|[ \t]{{1,3}})") + _R_B64,
             hints=("secret",), priority=12,
             description="AWS secret access key after its key name (also space-separated: aws configure set ...)"),
    Detector("github_token", "GITHUB_TOKEN",
             _L + r"(?P<v>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})" + _R,
             hints=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), validator="vendor_key", priority=10,
             description="GitHub personal, OAuth, app and fine-grained tokens"),
    Detector("gitlab_token", "GITLAB_TOKEN",
             r"(?:^|[^A-Za-z0-9_-])(?P<v>gl(?:pat|dt|rt|ptt|ft|soat|cbt|imt|agent|oas|ffct)-[A-Za-z0-9_-]{20,}"
             r"|GR1348941[A-Za-z0-9_-]{20,})" + _R_B64,
             hints=("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-", "glcbt-", "glimt-", "glagent-",
                    "gloas-", "glffct-", "gr1348941"), validator="vendor_key", priority=10,
             description="GitLab tokens"),
    Detector("slack_token", "SLACK_TOKEN",
             r"(?P<v>xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}"
             r"|https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/_-]{20,})",
             hints=("xox", "xapp-", "hooks.slack.com"), validator="vendor_key", priority=10,
             description="Slack tokens and webhooks"),
    Detector("stripe_key", "STRIPE_KEY", _L + r"(?P<v>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,})" + _R,
             hints=("sk_live_", "sk_test_", "rk_live_", "rk_test_"), validator="vendor_key", priority=10,
             description="Stripe secret and restricted keys"),
    Detector("google_api_key", "GOOGLE_API_KEY", r"(?:^|[^A-Za-z0-9_-])(?P<v>AIza[0-9A-Za-z_-]{35})" + _R_B64,
             hints=("aiza",), validator="vendor_key", priority=10, description="Google API key"),
    Detector("vendor_api_token", "API_KEY",
             r"(?:^|[^A-Za-z0-9_-])(?P<v>npm_[A-Za-z0-9]{36}|pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"
             r"|dckr_pat_[A-Za-z0-9_-]{27}|shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}|dop_v1_[a-f0-9]{64}"
             r"|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})" + _R_B64,
             hints=("npm_", "pypi-", "dckr_pat_", "shpat_", "shpca_", "shppa_", "shpss_", "dop_v1_", "sg."),
             validator="vendor_key", priority=12,
             description="API tokens with a vendor prefix: npm, PyPI, Docker Hub, Shopify, DigitalOcean, SendGrid"),
    Detector("vault_token", "GENERIC_SECRET",
             r"(?:^|[^A-Za-z0-9_-])(?P<v>hv[sbr]\.[A-Za-z0-9_-]{24,})" + _R_B64
             + r"|(?i:vault[ \t]+login[ \t]+(?:-[a-z-]+=[^\s]+[ \t]+)*(?:token=)?"
               r"|vault[_-]?token[\"']?[ \t]{0,3}[:=][ \t]{0,3}[\"']?)(?P<v2>[sb]\.[A-Za-z0-9]{24})" + _R,
             hints=("hvs.", "hvb.", "hvr.", "vault"), validator="vendor_key", priority=12,
             description="HashiCorp Vault tokens: hvs./hvb./hvr. anywhere, a legacy s./b. token after a Vault "
                         "token key or vault login (s. alone is too common)"),
    Detector("anthropic_key", "ANTHROPIC_KEY",
             r"(?:^|[^A-Za-z0-9_-])(?P<v>sk-ant-(?:api|admin|sid|oat)[0-9]{2}-[A-Za-z0-9_-]{20,})" + _R_B64,
             hints=("sk-ant-",), validator="vendor_key", priority=9, description="Anthropic API and admin keys"),
    Detector("openai_key", "OPENAI_KEY",
             r"(?:^|[^A-Za-z0-9_-])(?P<v>sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}"
             r"|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})" + _R_B64,
             hints=("sk-",), validator="vendor_key", priority=11,
             description="OpenAI API keys (project, service account, legacy)"),
    Detector("jwt", "JWT", r"(?:^|[^A-Za-z0-9_-])(?P<v>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)"
             + r"(?:[^A-Za-z0-9_.=-]|$)",
             hints=("eyj",), validator="jwt", priority=15, description="JSON Web Token, header decodes with alg"),
    Detector("url_credentials", "URL_CREDENTIALS",
             r"(?i)[a-z][a-z0-9+.-]+://[^\s:/\"'<>]*:(?P<v>[^\s@/\"'<>]+)@",
             hints=("://",), validator="secret_value", priority=20,
             description="password part of scheme://user:password@host"),
    Detector("url_credentials_dsn", "URL_CREDENTIALS",
             r"(?:^|[\s\"'=])[A-Za-z0-9_.-]{1,64}:(?P<v>[^\s@/\"'<>]{1,128})@(?:tcp|udp|unix)\(",
             hints=("@tcp(", "@udp(", "@unix("), validator="secret_value", priority=20,
             description="password part of a Go database DSN user:password@tcp(host:port)/db"),
    # ---- secrets recognised by the key they are assigned to
    Detector("bearer_token", "BEARER_TOKEN",
             r"(?i)(?:^|[^a-z0-9])(?:bearer(?:[ \t]+[\"']?|%20)|token[ \t]+)(?P<v>[A-Za-z0-9._~+/-]{12,}=*)",
             hints=("bearer", "token"), validator="entropy", priority=35,
             description="token after 'Bearer' or 'Token' (Authorization header, curl --oauth2-bearer \"X\", "
                         "a URL-encoded Bearer%20X)"),
    Detector("authorization_header", "GENERIC_SECRET",
             r"(?i)authorization[\"']?[ \t]{0,3}[:=][ \t]{0,3}[\"']?[a-z][a-z0-9_-]{1,20}[ \t]{1,3}"
             r"(?P<v>[A-Za-z0-9._~+/-]{12,}={0,3})",
             hints=("authorization",), validator="entropy", priority=50,
             description="credentials of any Authorization scheme (ApiKey, SSWS, Splunk, ...)"),
    Detector("basic_auth", "PASSWORD", r"(?i)(?:^|[^a-z0-9])basic[ \t]+(?P<v>[A-Za-z0-9+/]{8,}={0,2})" + _R_B64,
             hints=("basic",), validator="entropy", priority=40,
             description="HTTP Basic credentials (base64 of user:password)"),
    Detector("password_assignment", "PASSWORD",
             keyword_assignment(r"password|passwd|passphrase",
                                suffix=r"(?:[_-]?(?:[0-9]|confirm(?:ation)?|value))?" + _ENV_SUFFIX,
                                short=r"(?:db|root|admin|user|usr|sql|my|mysql|pg|redis|ldap|smtp|mail|ftp|proxy|app"
                                      r"|api|sys|svc|bind|auth|login|key|store|trust)?[_-]?(?:pass|pwd|pw)"),
             hints=("pass", "pwd", "pw"), validator="secret_value", priority=40,
             description="value assigned to a password key (password=, \"dbPassword\": \"...\", dbpass=, <password>)"),
    Detector("password_statement", "PASSWORD",
             r"(?i:password(?: for [^\n=]{1,80}?[ \t]{0,3}=)?|identified(?: with [a-z0-9_]{1,32})? by)"
             r"[ \t]{0,3}\(?[ \t]{0,3}"
             r"[\"'](?P<v>[^\"'\s]{1,128})[\"']"
             r"|(?:(?i:requirepass|masterauth)|(?m:^)[ \t]*(?:rootpw|auth_pass))[ \t]{1,16}[\"']?"
             r"(?P<v2>[^\s\"']{1,128})"
             r"|\"AUTH\"[ \t]{1,3}(?:\"[^\"\s]{1,64}\"[ \t]{1,3})?\"(?P<v3>[^\"\s]{1,128})\"",
             hints=("password", "identified", "requirepass", "masterauth", '"auth"', "rootpw", "auth_pass"),
             validator="secret_value", priority=45,
             description="SQL PASSWORD 'x' / IDENTIFIED BY 'x' / SET PASSWORD FOR u = 'x', redis requirepass/"
                         "masterauth/AUTH, slapd rootpw and keepalived auth_pass directives"),
    Detector("password_cli", "PASSWORD",
             r"(?:^|[ \t\"'])(?:(?:-[uU]|--(?:proxy-)?user)[ =][\"']?[^\s:\"']+:(?P<v>[^\s\"'/][^\s\"']*)"
             # words before the keyword as (?:[a-z0-9-]*-)?, not (?:[a-z0-9]{1,16}-){0,2}: Hyperscan (0.9.1) misses a
             # bounded repeat there in {"args":["--password","X"]}, so the gate and the prefilter dropped it
             r"|--(?:[a-z0-9-]*-)?(?:password|passwd|pass)"
             r"(?:[ =]|[\"'][ \t]{0,3},[ \t]{0,3}|[\"']?[ \t]{0,3}\r?\n[ \t]{0,16}-[ \t]{1,3})[\"']?(?P<v2>[^\s\"']+))"
             r"|(?i:mysql(?:dump|admin|import|check)?)\b[^\n]*?[ \t]-p[\"']?(?P<v3>[^\s\"']+)"
             r"|(?:sshpass[ \t]+-p|redis-cli\b[^\n]*?[ \t]-a"
             r"|[a-z][a-z0-9-]{1,15}(?: registry)? login\b[^\n]*?[ \t]-p"
             r"|(?:mongo(?:sh|dump|restore|import|export)?\b[^\n]*?[ \t]-p|(?:sqlcmd|bcp)\b[^\n]*?[ \t]-P"
             r"|ldap(?:search|add|modify|delete|modrdn|passwd|whoami|compare)\b[^\n]*?[ \t]-w))"
             r"[ \t]*[\"']?(?P<v4>[^\s\"']+)"
             r"|(?i:ConvertTo-SecureString)[ \t]+(?:-String[ \t]+)?[\"'](?P<v5>[^\"'\n]{1,128})[\"'][ \t]+-AsPlainText"
             r"|(?:^|[\s>])net use[ \t][^\n]{0,200}?/user:[^\s/<]+[ \t]+(?P<v6>[^\s/\"'<]+)"
             r"|(?:^|[ \t])/pass(?:word)?:(?P<v7>[^\s\"'<]+)"
             r"|(?:rabbitmqctl[ \t]+(?:add_user|change_password)|htpasswd[ \t]+-[a-zA-Z]*b[a-zA-Z]*[ \t]+\S+)"
             r"[ \t]+\S+[ \t]+[\"']?(?P<v8>[^\s\"']+)"
             r"|echo[ \t]+[\"']?(?P<v9>[^\s\"'|]+)[\"']?[ \t]*\|[ \t]*(?:sudo[ \t]+-S|[^\n|]{0,120}?--password-stdin)"
             r"|echo[ \t]+[\"']?[^\s:\"'|]{1,64}:(?P<v10>[^\s\"'|]+)[\"']?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd"
             r"|(?:^|[\s>])net user[ \t]+[^\s/]+[ \t]+(?P<v11>[^\s/*\"'<][^\s\"'<]*)[ \t]+/add"
             r"|mysqladmin\b[^\n]*?[ \t]password[ \t]+[\"']?(?P<v12>[^\s\"']+)",
             hints=("-u", "--user", "pass", "mysql", "redis-cli", "login", "mongo", "sqlcmd", "bcp", "ldap",
                    "convertto-securestring", "net use", "rabbitmqctl", "htpasswd", "sudo", "net user"),
             validator="secret_value", priority=45,
             value_groups=("v", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12"),
             description="curl -u/-U/--proxy-user user:password, --db-password X (also in an argument list: "
                         "[\"--db-password\", \"X\"], YAML's - --db-password / - X), mysql -pPASSWORD, sshpass -p X, "
                         "redis-cli -a X, docker/oc/az login -p X, mongosh -p X, sqlcmd -P X, ldapsearch -w X, "
                         "ConvertTo-SecureString 'X' -AsPlainText, net use /user:U X, /pass:X, "
                         "rabbitmqctl add_user U X, htpasswd -b F U X, echo X | sudo -S / ... --password-stdin, "
                         "echo U:X | chpasswd, net user U X /add, mysqladmin password X"),
    Detector("password_config_forms", "PASSWORD",
             r"(?:^|\s)machine[ \t]+\S+(?:[ \t]+login[ \t]+\S+)?[ \t]+password[ \t]+(?P<v>[^\s\"']+)"
             r"|(?:^|[ \t])-(?:src|dest|new)?(?:store|key)pass[ \t]+[\"']?(?P<v2>[^\s\"']+)"
             r"|(?i:<(?:property[ \t]+name|add[ \t]+key)=[\"'][a-z0-9_.-]{0,64}(?:password|passwd|secret)[\"']"
             r"[ \t]+value=)[\"'](?P<v3>[^\"'<>\s]+)[\"']"
             r"|(?i:define\([ \t]*[\"'][a-z0-9_]*(?:password|pass|pwd)[\"'][ \t]*,[ \t]*)"
             r"[\"'](?P<v4>[^\"'\n]{1,128})[\"']",
             hints=("machine", "storepass", "keypass", "property", "<add", "define("), validator="secret_value",
             priority=45, value_groups=("v", "v2", "v3", "v4"),
             description=".netrc 'machine H login U password P', keytool -storepass/-keypass P, "
                         "Spring <property name=\"...password\" value=\"P\"/>, .NET <add key=\"...Password\" "
                         "value=\"P\"/>, PHP define('DB_PASSWORD', 'P')"),
    Detector("api_key_assignment", "API_KEY",
             keyword_assignment(r"api[ _-]?key|api[ _-]?token|api[ _-]?secret|app[ _-]?key|access[ _-]?key(?:[_-]?id)?"
                                r"|(?:subscription|license|client|consumer|write|ingest|insert|instrumentation)"
                                r"[ _-]?key"
                                r"|x-auth-token|private[_-]?token|[?&]key", _TOKEN_VALUE, suffix=_ENV_SUFFIX),
             hints=("key", "token", "secret"), validator="api_key", priority=45,
             description="value assigned to an API key name (apikey=, X-API-Key:, stripeApiKey, API key: X)"),
    Detector("secret_assignment", "GENERIC_SECRET",
             keyword_assignment(r"secret(?:[_-]?key)?|(?:signing|encryption|master|private|account|hmac)[_-]?key"
                                r"|token|credentials?"
                                r"|sess(?:ion)?[_-]?id|signature",
                                _TOKEN_VALUE, suffix=r"(?:[_-](?:base|value|b64|hex))?" + _ENV_SUFFIX,
                                short=r"salt|sig|auth", flag=r"secret|token|api-?key|bearer"),
             hints=("secret", "token", "credential", "sess", "key", "salt", "sig", "auth", "bearer"),
             validator="entropy",
             priority=50, description="random-looking value assigned to a secret/token/session/signature key"),
    # a GitHub Actions workflow command that masks a value in the job's log names it a secret
    Detector("actions_add_mask", "GENERIC_SECRET", r"::add-mask::(?P<v>[^\s\"'`]+)",
             hints=("::add-mask::",), validator="secret_value", priority=50,
             description="the value a GitHub Actions '::add-mask::VALUE' command masks"),
    # a cookie header names the session by any name: a cookie whose name speaks of a session or token
    Detector("session_cookie", "GENERIC_SECRET",
             r"(?i)(?:^|[^a-z0-9])(?:set-)?cookie[\"']?(?:[ \t]*[:=]|[ \t])[ \t]*[\"']?"
             r"(?:[^\s;=\"']+=[^\s;\"']*;[ \t]*)*"
             r"[a-z0-9_.-]*(?:sess|sid|token|auth|jwt|remember)[a-z0-9_.-]*=(?P<v>[A-Za-z0-9._~+/%-]{16,}={0,2})",
             hints=("cookie",), validator="entropy", priority=50,
             description="random-looking session or token cookie in a Cookie / Set-Cookie header or after curl's "
                         "--cookie"),
)


DEFAULT_DETECTORS = DETECTORS

#: per catalog pattern: a pattern that every match of it holds a match of, cheaper for Hyperscan to scan
#: for (a test checks that each match holds one). The structural prefilter scans for it instead, and a
#: window as wide as the pattern reaches either side of each end. Keyed by the pattern itself: a pattern
#: that changes (a profile's, the line-anchored form of frames) has no core.
#: IPv6: its first three colons enclose an empty group ("::") or two groups of 1-4 hex digits. Scanning
#: for the address from any hex digit was about a sixth of the prefilter's pass over logs, and every digit
#: after the third colon a report.
CORES: dict[str, str] = {_IPV6: r"::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:"}
