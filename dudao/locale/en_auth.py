"""English for the login and password-change pages, the header's user menu and the 404/403 pages."""

EN = {
    "用户菜单": "User menu",
    "当前用户": "Signed-in user",
    "修改密码": "Change password",
    "密码未修改，请按下方提示更正。": "The password was not changed; correct what is marked below.",
    "取消": "Cancel",
    "密码已修改": "Password changed",
    "新密码已生效，下次登录请使用新密码。": "Your new password is in force; use it the next time you log in.",
    "返回首页": "Back to the start page",
    "找不到该页面": "Page not found",
    "该页面不存在，或不在您的权限范围内。": "This page does not exist, or it is outside what your account may see.",
    "无权执行此操作": "Not allowed",
    "您的账号没有执行这一操作的权限；如需办理，请联系负责的督导人员。": (
        "Your account is not allowed to do this; ask the supervisor in charge."
    ),
}
