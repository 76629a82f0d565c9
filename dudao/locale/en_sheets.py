"""English for the survey's printable QR sheets (per school, all schools, class slips)."""

EN = {
    # dudao/surveys/sheets.py
    "请填写有效的年级范围（1–%(g)s）和每年级班数（1–%(n)s）": (
        "Enter a valid range of grades (1–%(g)s) and a number of classes per grade (1–%(n)s)"
    ),
    "一次最多打印%(max)s个班级（现有%(n)s个），请分批打印。": (
        "At most %(max)s classes can be printed at once (there are %(n)s); print them in batches."
    ),
    "班级名称不能超过%(n)s个字": "A class name may have at most %(n)s characters",
    # templates
    "按学校、班级打印二维码": "Print QR codes by school and class",
    "各校二维码": "QR codes by school",
    "%(year)s学年在办的学校，按乡镇排列。每校一张A4二维码页（家长、学生、教师、校长各一个），"
    "也可按班级打印小条；扫本校二维码提交的答卷计入本校所在乡镇。": (
        "Schools open in the %(year)s school year, by town. Each school has an A4 sheet of QR codes (one each for "
        "parents, pupils, teachers and the principal), and slips can be printed per class; answers submitted "
        "through a school's QR code are counted in that school's town."
    ),
    "打印全部学校（每校一页）": "Print all schools (one page each)",
    "未填乡镇": "No town given",
    "打印": "Print",
    "二维码下载": "QR code downloads",
    "二维码页": "QR sheet",
    "班级小条": "Class slips",
    "本年度没有在办学校。": "No school is open this year.",
    "调查二维码": "Survey QR codes",
    "用A4纸打印本页（Ctrl+P），张贴或发给学校。": (
        "Print this page on A4 (Ctrl+P) and post it or give it to the school."
    ),
    "全部学校二维码": "QR codes of all schools",
    "共%(n)s所学校，每校一页，用A4纸打印（Ctrl+P）。": "%(n)s schools, one page each; print on A4 (Ctrl+P).",
    "%(label)s问卷": "Survey for: %(label)s",
    "请用手机微信或浏览器扫码，匿名填写，约需3分钟。": (
        "Scan with WeChat or a phone browser and answer anonymously; it takes about 3 minutes."
    ),
    "问卷不记录姓名、电话等个人信息。": "The survey records no name, phone number or other personal details.",
    "班级（每行一个，如“一年级1班”）": "Classes (one a line, e.g. “一年级1班”)",
    "生成小条": "Make slips",
    "或按年级生成班级": "Or make the classes by grade",
    "起始年级": "From grade",
    "结束年级": "To grade",
    "每年级班数": "Classes per grade",
    "按年级生成": "Make by grade",
    "一次最多%(max)s个班级。班级名称只印在小条上，不写入链接：答卷仍是匿名的，计入本校。": (
        "At most %(max)s classes at a time. The class name is printed on the slip only, not put in the link: "
        "answers stay anonymous and are counted for the school."
    ),
    "共%(n)s张小条，打印后沿虚线裁开，每班一张。": "%(n)s slips: print, cut along the dashed lines, one per class.",
    "扫码匿名填写，约需3分钟": "Scan to answer anonymously, about 3 minutes",
}
